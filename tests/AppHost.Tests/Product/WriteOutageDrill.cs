using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Npgsql;
using Xunit.Abstractions;

namespace AppHost.Tests.Product;

/// <summary>
/// PostgreSQL restarts under a stream of writes through the proxy: creates of services and evidence uploads. Every
/// write answered 2xx is there afterwards, every failure is a 503 problem, and nothing is half-written: each service
/// has its audit event, and the evidence rows and the blobs in storage are the same set.
/// </summary>
[Collection(UncachedStackTestGroup.Name)]
public sealed class WriteOutageDrill(UncachedStackFixture stack, ITestOutputHelper output)
{
    private sealed record Answer(DateTime At, string Kind, string Key, HttpStatusCode Status, string? MediaType, string? Id);

    [Fact]
    public async Task Writes_during_a_PostgreSQL_restart_are_either_stored_whole_or_refused_with_503()
    {
        var app = stack.App;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        using var owner = await ProductUser.SignUpAsync(app, stack.DataDirectory, "drill");
        var teamId = (await owner.CreateTeamAsync())["id"]!.GetValue<string>();
        var service = await owner.CreateServiceAsync(teamId);
        var review = (await owner.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/services/{service["id"]}/reviews", new { }))!;
        var evidencePath = $"/api/reviews/{review["id"]}/items/{review["items"]![0]!["itemId"]}/evidence";
        var token = (await owner.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/account/tokens", new { name = "drill", scopes = s_readWrite }))!["token"]!.GetValue<string>();

        var answers = new ConcurrentQueue<Answer>();
        using var stopWriting = new CancellationTokenSource();
        // Two writers at once, one per kind, so writes are in flight at every moment of the stop and the start.
        var writing = Task.WhenAll(
            Task.Run(() => WriteUntilStoppedAsync(app, token, teamId, evidencePath, isService: true, answers, stopWriting.Token)),
            Task.Run(() => WriteUntilStoppedAsync(app, token, teamId, evidencePath, isService: false, answers, stopWriting.Token)));
        DateTime outageEnded;
        try
        {
            await WaitForAsync(answers, a => a.Status == HttpStatusCode.Created, timeout.Token);
            await Drills.StopAsync(app, "postgres", timeout.Token);
            try
            {
                // Long enough for both kinds of write to meet the outage.
                await WaitForAsync(answers, a => a is { Kind: "service", Status: HttpStatusCode.ServiceUnavailable }, timeout.Token);
                await WaitForAsync(answers, a => a is { Kind: "evidence", Status: HttpStatusCode.ServiceUnavailable }, timeout.Token);
            }
            finally
            {
                await Drills.StartAgainAsync(app, "postgres");
                outageEnded = DateTime.UtcNow;
            }

            await WaitForAsync(answers, a => a.Status == HttpStatusCode.Created && a.At > outageEnded && a.Kind == "service", timeout.Token);
            await WaitForAsync(answers, a => a.Status == HttpStatusCode.Created && a.At > outageEnded && a.Kind == "evidence", timeout.Token);
        }
        finally
        {
            await stopWriting.CancelAsync();
            await writing;
        }

        output.WriteLine(string.Join(", ", answers.GroupBy(a => (a.Kind, a.Status)).Select(g => $"{g.Key.Kind} {(int)g.Key.Status}: {g.Count()}")));
        Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.Created or HttpStatusCode.ServiceUnavailable, $"{a.Kind} {a.Key} answered {(int)a.Status}"));
        Assert.All(answers.Where(a => a.Status == HttpStatusCode.ServiceUnavailable), a => Assert.Equal("application/problem+json", a.MediaType));
        Assert.Contains(answers, a => a.Status == HttpStatusCode.ServiceUnavailable);

        await using var connection = new NpgsqlConnection(await app.GetConnectionStringAsync("readiness"));
        await connection.OpenAsync();

        // Every service the API said it created is there, and every service of the team has its audit event.
        var stored = await ColumnAsync(connection, """SELECT "Slug" FROM "Services" WHERE "TeamId" = @team""", teamId);
        Assert.Subset(stored.ToHashSet(), answers.Where(a => a is { Kind: "service", Status: HttpStatusCode.Created }).Select(a => a.Key).ToHashSet());
        var audited = await ColumnAsync(connection, """SELECT s."Slug" FROM "Services" s JOIN "AuditEvents" e ON e."EntityId" = s."Id"::text AND e."Action" = 'service.created' WHERE s."TeamId" = @team""", teamId);
        Assert.Equal(stored.Order(StringComparer.Ordinal), audited.Order(StringComparer.Ordinal));

        // Every upload answered 201 has its row, and every row its blob. A blob without a row is one of an upload answered
        // 503 whose save could not be told committed or not while the database was away: kept, since a row might point
        // to it, and left to the orphan sweep (an hour on). At most one per such upload.
        var rows = await ColumnAsync(connection, """SELECT "Id"::text FROM "EvidenceFiles" """, null);
        Assert.Subset(rows.ToHashSet(), answers.Where(a => a is { Kind: "evidence", Status: HttpStatusCode.Created }).Select(a => a.Id!).ToHashSet());
        var blobNames = await ColumnAsync(connection, """SELECT "BlobName" FROM "EvidenceFiles" """, null);
        var container = new BlobServiceClient(await app.GetConnectionStringAsync("evidence")).GetBlobContainerClient("evidence");
        var blobs = new List<string>();
        await foreach (var blob in container.GetBlobsAsync())
        {
            blobs.Add(blob.Name);
        }

        Assert.Subset(blobs.ToHashSet(), blobNames.ToHashSet());
        var unclaimed = blobs.Except(blobNames, StringComparer.Ordinal).Count();
        Assert.True(unclaimed <= answers.Count(a => a is { Kind: "evidence", Status: HttpStatusCode.ServiceUnavailable }),
            $"{unclaimed} blob(s) without a row, more than the uploads refused with 503");
    }

    private static readonly string[] s_readWrite = ["read", "write"];

    /// <summary>One write after another (creates of services, or uploads), at a pace under the proxy's rate limit.</summary>
    private static async Task WriteUntilStoppedAsync(DistributedApplication app, string token, string teamId, string evidencePath, bool isService, ConcurrentQueue<Answer> answers, CancellationToken stop)
    {
        using var writer = ProductUser.WithToken(app, token);
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var key = isService ? $"drill-{n}-{Guid.NewGuid():N}"[..24] : $"evidence-{n.ToString(CultureInfo.InvariantCulture)}.txt";
            try
            {
                using var response = isService
                    ? await writer.SendAsync(HttpMethod.Post, "/api/services", new { teamId, name = key, slug = key })
                    : await writer.SendAsync(HttpMethod.Post, evidencePath, content: ProductFlowTests.FileUpload(key, System.Text.Encoding.UTF8.GetBytes($"write {n}\n")));
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                var id = response.StatusCode == HttpStatusCode.Created ? JsonNode.Parse(body)!["id"]!.GetValue<string>() : null;
                answers.Enqueue(new Answer(DateTime.UtcNow, isService ? "service" : "evidence", key, response.StatusCode, response.Content.Headers.ContentType?.MediaType, id));
            }
            catch (HttpRequestException exception)
            {
                // No answer at all is a failure the assertions report, not a reason to stop writing.
                answers.Enqueue(new Answer(DateTime.UtcNow, isService ? "service" : "evidence", key, 0, exception.Message, null));
            }

            try
            {
                await Task.Delay(25, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task WaitForAsync(ConcurrentQueue<Answer> answers, Func<Answer, bool> match, CancellationToken cancellationToken)
    {
        while (!answers.Any(match))
        {
            await Task.Delay(100, cancellationToken);
        }
    }

    private static async Task<List<string>> ColumnAsync(NpgsqlConnection connection, string sql, string? teamId)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        if (teamId is not null)
        {
            command.Parameters.AddWithValue("team", Guid.Parse(teamId));
        }

        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
