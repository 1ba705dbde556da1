using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Npgsql;

namespace AppHost.Tests.Product;

/// <summary>
/// The audit trail's hash chain on the shared stack: events written through the API by both replicas are chained by
/// PostgreSQL's trigger, and <c>WebApi audit verify</c>, run as its own process against the same database, passes
/// them, then names the first broken link once a row is edited or deleted directly in PostgreSQL (as the table's
/// owner, with the append-only trigger switched off for that transaction). Each test tampers only with its own team's
/// chain and puts the original rows back, byte for byte, so the stack's other tests find every chain intact.
/// </summary>
[Collection(StackTestGroup.Name)]
public sealed class AuditChainTests(StackFixture stack)
{
    private const string SwitchTriggersOff = """ALTER TABLE "AuditEvents" DISABLE TRIGGER "AuditEvents_append_only", DISABLE TRIGGER "AuditEvents_chain" """;
    private const string SwitchTriggersOn = """ALTER TABLE "AuditEvents" ENABLE TRIGGER "AuditEvents_append_only", ENABLE TRIGGER "AuditEvents_chain" """;

    private sealed record Link(long Id, long Sequence);

    [Fact]
    public async Task Verify_passes_the_chains_written_through_the_api_and_counts_one_teams_events()
    {
        var (teamId, links) = await WriteAuditedTeamAsync();
        var connectionString = (await stack.App.GetConnectionStringAsync("readiness"))!;

        var everything = await VerifyAsync(connectionString);
        var ownTeam = await VerifyAsync(connectionString, "--team", teamId);

        Assert.Equal([1L, 2, 3, 4, 5], links.Select(l => l.Sequence));
        Assert.True(everything.ExitCode == 0, everything.Output);
        Assert.Matches(@"^audit verify: \d+ events in \d+ scopes, chain intact$", everything.Output);
        Assert.True(ownTeam.ExitCode == 0, ownTeam.Output);
        Assert.Equal("audit verify: 5 events in 1 scope, chain intact", ownTeam.Output);
    }

    [Fact]
    public async Task A_row_edited_in_PostgreSQL_is_the_first_broken_link_until_it_is_put_back()
    {
        var (teamId, links) = await WriteAuditedTeamAsync();
        var connectionString = (await stack.App.GetConnectionStringAsync("readiness"))!;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var edited = links[2];

        (int ExitCode, string Output) changed, rehashed, putBack;
        await SaveAsync(connection, edited.Id);
        try
        {
            // The service's name in the event's After, changed the way a DBA could.
            await TamperAsync(connection, edited.Id, """UPDATE "AuditEvents" SET "After" = jsonb_set("After", '{name}', '"Tampered"') WHERE "Id" = @id""");
            changed = await VerifyAsync(connectionString);

            // A forger who also recomputes the row's own hash (with the trigger's function) breaks the next link instead.
            await TamperAsync(connection, edited.Id, """UPDATE "AuditEvents" e SET "Hash" = "AuditEvents_hash"(e) WHERE "Id" = @id""");
            rehashed = await VerifyAsync(connectionString);
        }
        finally
        {
            await PutBackAsync(connection, edited.Id);
        }

        putBack = await VerifyAsync(connectionString);

        Assert.Equal(1, changed.ExitCode);
        Assert.StartsWith($"audit verify: broken link in scope team {teamId}, event {edited.Id} (sequence 3): hash mismatch: ", changed.Output, StringComparison.Ordinal);
        Assert.Equal(1, rehashed.ExitCode);
        Assert.StartsWith($"audit verify: broken link in scope team {teamId}, event {links[3].Id} (sequence 4): previous-hash mismatch: ", rehashed.Output, StringComparison.Ordinal);
        Assert.Contains($"but event {edited.Id} (sequence 3) has hash", rehashed.Output, StringComparison.Ordinal);
        Assert.True(putBack.ExitCode == 0, putBack.Output);
    }

    [Fact]
    public async Task A_row_deleted_in_PostgreSQL_is_a_gap_named_at_the_event_after_it()
    {
        var (teamId, links) = await WriteAuditedTeamAsync();
        var connectionString = (await stack.App.GetConnectionStringAsync("readiness"))!;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var deleted = links[1];

        (int ExitCode, string Output) gap, putBack;
        await SaveAsync(connection, deleted.Id);
        try
        {
            await TamperAsync(connection, deleted.Id, """DELETE FROM "AuditEvents" WHERE "Id" = @id""");
            gap = await VerifyAsync(connectionString);
        }
        finally
        {
            await PutBackAsync(connection, deleted.Id);
        }

        putBack = await VerifyAsync(connectionString);

        Assert.Equal(1, gap.ExitCode);
        Assert.Equal(
            $"audit verify: broken link in scope team {teamId}, event {links[2].Id} (sequence 3): gap: sequence 3 follows 1 (event {links[0].Id}), 2 expected",
            gap.Output);
        Assert.True(putBack.ExitCode == 0, putBack.Output);
    }

    /// <summary>A new team with five audited writes through the API: created, a service created, and renamed three times.</summary>
    private async Task<(string TeamId, List<Link> Links)> WriteAuditedTeamAsync()
    {
        using var owner = await ProductUser.SignUpAsync(stack, "chain");
        var teamId = (await owner.CreateTeamAsync())["id"]!.GetValue<string>();
        var service = await owner.CreateServiceAsync(teamId);
        var etag = service["etag"]!.GetValue<string>();
        for (var rename = 1; rename <= 3; rename++)
        {
            var updated = (await owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/services/{service["id"]}", new { name = $"Checkout {rename}", tier = "B" }, ifMatch: etag))!;
            etag = updated["etag"]!.GetValue<string>();
        }

        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness"));
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("""SELECT "Id", "Sequence" FROM "AuditEvents" WHERE "TeamId" = @team ORDER BY "Sequence" """, connection);
        query.Parameters.AddWithValue("team", Guid.Parse(teamId));
        var links = new List<Link>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            links.Add(new Link(reader.GetInt64(0), reader.GetInt64(1)));
        }

        return (teamId, links);
    }

    /// <summary>Keeps the row as it is in a temporary table of this session, for <see cref="PutBackAsync"/>.</summary>
    private static async Task SaveAsync(NpgsqlConnection connection, long id)
    {
        await using (var save = new NpgsqlCommand($"""CREATE TEMP TABLE "saved_{id}" AS SELECT * FROM "AuditEvents" WHERE "Id" = @id""", connection))
        {
            save.Parameters.AddWithValue("id", id);
            await save.ExecuteNonQueryAsync();
        }

        await using var count = new NpgsqlCommand($"""SELECT count(*) FROM "saved_{id}" """, connection);
        Assert.Equal(1L, await count.ExecuteScalarAsync());
    }

    /// <summary>Runs <paramref name="sql"/> on the row as the table's owner can: with the triggers off, in one transaction, so no other session ever sees them off.</summary>
    private static async Task TamperAsync(NpgsqlConnection connection, long id, string sql)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var off = new NpgsqlCommand(SwitchTriggersOff, connection, transaction))
        {
            await off.ExecuteNonQueryAsync();
        }

        await using (var tamper = new NpgsqlCommand(sql, connection, transaction))
        {
            tamper.Parameters.AddWithValue("id", id);
            Assert.Equal(1, await tamper.ExecuteNonQueryAsync());
        }

        await using (var on = new NpgsqlCommand(SwitchTriggersOn, connection, transaction))
        {
            await on.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    /// <summary>Puts the row saved by <see cref="SaveAsync"/> back exactly as it was: same id, same chain columns.</summary>
    private static async Task PutBackAsync(NpgsqlConnection connection, long id)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var sql in new[]
        {
            SwitchTriggersOff,
            $"""DELETE FROM "AuditEvents" WHERE "Id" = {id}""",
            $"""INSERT INTO "AuditEvents" OVERRIDING SYSTEM VALUE SELECT * FROM "saved_{id}" """,
            SwitchTriggersOn,
            $"""DROP TABLE "saved_{id}" """,
        })
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    /// <summary>Runs the built <c>WebApi audit verify</c> against <paramref name="connectionString"/>; its exit code and output (stdout then stderr).</summary>
    internal static async Task<(int ExitCode, string Output)> VerifyAsync(string connectionString, params string[] options)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(WebApiDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(WebApiDll);
        start.ArgumentList.Add("audit");
        start.ArgumentList.Add("verify");
        foreach (var option in options)
        {
            start.ArgumentList.Add(option);
        }

        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        start.Environment["ConnectionStrings__readiness"] = connectionString;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"audit verify did not exit within 60 s: {await stdout}{await stderr}");
        }

        return (process.ExitCode, ((await stdout) + (await stderr)).Trim());
    }

    private static string WebApiDll => Deployment.RepositoryFiles.BuiltAssembly("WebApi");
}
