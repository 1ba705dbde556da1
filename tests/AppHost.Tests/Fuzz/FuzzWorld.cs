using System.Net;
using AppHost.Tests.Product;

namespace AppHost.Tests.Fuzz;

/// <summary>
/// What the fuzz run works on, made for it alone: an owner and a maintainer in a team of their own, with a service
/// whose one environment is a loopback port nobody listens on (a scan of it fails at once and nothing leaves the
/// machine), an open review with a waiver asked of the owner, evidence on an item, a queued scan, and the
/// maintainer's read-write personal access token plus a spare token to revoke. Generators fill path parameters and
/// bodies with these real ids as well as with random and boundary ones.
/// </summary>
internal sealed class FuzzWorld : IDisposable
{
    /// <summary>The only URL the run ever gives the scanner: loopback, a port nobody listens on.</summary>
    public const string ScanTarget = "http://127.0.0.1:1/";

    public const string Environment = "production";

    /// <summary>Each resource's entity tag as set up, by the path of the operation that changes it.</summary>
    private readonly Dictionary<string, string> _etags = new(StringComparer.Ordinal);

    private FuzzWorld(ProductUser owner, ProductUser maintainer) => (Owner, Maintainer) = (owner, maintainer);

    public ProductUser Owner { get; }

    public ProductUser Maintainer { get; }

    public string Token { get; private set; } = "";

    public string TeamId { get; private set; } = "";

    public string ServiceId { get; private set; } = "";

    public string ServiceSlug { get; private set; } = "";

    public string ReviewId { get; private set; } = "";

    public IReadOnlyList<string> ItemIds { get; private set; } = [];

    public string EvidenceId { get; private set; } = "";

    public long ScanId { get; private set; }

    public long? SelfScanId { get; private set; }

    public string SpareTokenId { get; private set; } = "";

    public string ChecklistId { get; private set; } = "";

    public static async Task<FuzzWorld> CreateAsync(StackFixture stack)
    {
        var owner = await ProductUser.SignUpAsync(stack, "fuzz-owner");
        var maintainer = await ProductUser.SignUpAsync(stack, "fuzz-maintainer");
        var world = new FuzzWorld(owner, maintainer);
        try
        {
            await world.SetUpAsync();
            return world;
        }
        catch
        {
            world.Dispose();
            throw;
        }
    }

    private async Task SetUpAsync()
    {
        var team = await Owner.CreateTeamAsync("Fuzz team");
        TeamId = team["id"]!.GetValue<string>();
        _etags["/api/teams/{teamId}"] = team["etag"]!.GetValue<string>();
        await Owner.AddMemberAsync(TeamId, Maintainer, "Maintainer");
        var detail = (await Owner.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/teams/{TeamId}"))!;
        _etags["/api/teams/{teamId}/members/{userId}"] = detail["members"]!.AsArray()
            .Single(m => m!["userId"]!.GetValue<string>() == Maintainer.Id)!["etag"]!.GetValue<string>();

        ServiceSlug = $"fuzz-{Guid.NewGuid():N}"[..20];
        var service = (await Owner.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/services", new
        {
            teamId = TeamId,
            name = "Fuzzed",
            slug = ServiceSlug,
            environments = new[] { new { name = Environment, baseUrl = ScanTarget } },
            tier = "B",
        }))!;
        ServiceId = service["id"]!.GetValue<string>();
        _etags["/api/services/{id}"] = service["etag"]!.GetValue<string>();

        var review = (await Maintainer.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/services/{ServiceId}/reviews", new { }))!;
        ReviewId = review["id"]!.GetValue<string>();
        ChecklistId = review["checklistId"]!.GetValue<string>();
        _etags["/api/reviews/{reviewId}/complete"] = review["etag"]!.GetValue<string>();
        var items = review["items"]!.AsArray();
        ItemIds = [.. items.Select(i => i!["itemId"]!.GetValue<string>())];
        _etags["/api/reviews/{reviewId}/items/{itemId}"] = items[0]!["etag"]!.GetValue<string>();

        // A waiver the maintainer asks of the owner, so approving has something to refuse.
        await Maintainer.ExpectAsync(HttpStatusCode.OK, HttpMethod.Patch, $"/api/reviews/{ReviewId}/items/{ItemIds[1]}", new
        {
            status = "Waived",
            waiver = new { reason = "Fuzzed", approverId = Owner.Id, expiresOn = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(30)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) },
        }, ifMatch: items[1]!["etag"]!.GetValue<string>());

        var evidence = (await Maintainer.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/reviews/{ReviewId}/items/{ItemIds[0]}/evidence",
            content: ProductFlowTests.FileUpload("fuzz.txt", "fuzzed evidence\n"u8.ToArray())))!;
        EvidenceId = evidence["id"]!.GetValue<string>();
        _etags["/api/evidence/{id}"] = evidence["etag"]!.GetValue<string>();

        var scan = await ScanTests.QueueAsync(Maintainer, $"/api/services/{ServiceId}/scans", new { environment = Environment });
        ScanId = scan["id"]!.GetValue<long>();
        var selfScans = (await Maintainer.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/self/scans?pageSize=1"))!["items"]!.AsArray();
        SelfScanId = selfScans.Count > 0 ? selfScans[0]!["id"]!.GetValue<long>() : null;

        string[] readWrite = ["read", "write"];
        var token = (await Maintainer.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/account/tokens", new { name = "fuzz", scopes = readWrite, expiresInDays = 1 }))!;
        Token = token["token"]!.GetValue<string>();
        string[] read = ["read"];
        var spare = (await Maintainer.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/account/tokens", new { name = "fuzz-spare", scopes = read, expiresInDays = 1 }))!;
        SpareTokenId = spare["details"]!["id"]!.GetValue<string>();
        _etags["/api/account/tokens/{id}"] = spare["details"]!["etag"]!.GetValue<string>();
    }

    /// <summary>
    /// The real value of a path parameter of <paramref name="path"/>, e.g. the service's id for <c>{serviceId}</c>;
    /// several for <c>{itemId}</c> and <c>{userId}</c>; none for an unknown name.
    /// </summary>
    public IReadOnlyList<string> RealValues(string path, string parameter) => parameter switch
    {
        "teamId" => [TeamId],
        "serviceId" => [ServiceId],
        "reviewId" => [ReviewId],
        "itemId" => ItemIds,
        "userId" => [Owner.Id, Maintainer.Id],
        "scanId" when path.StartsWith("/api/self/", StringComparison.Ordinal) => SelfScanId is { } self ? [Id(self)] : [],
        "scanId" => [Id(ScanId)],
        "id" when path.StartsWith("/api/services/", StringComparison.Ordinal) => [ServiceId],
        "id" when path.StartsWith("/api/evidence/", StringComparison.Ordinal) => [EvidenceId],
        "id" when path.StartsWith("/api/account/tokens/", StringComparison.Ordinal) => [SpareTokenId],
        "id" when path.StartsWith("/api/checklists/", StringComparison.Ordinal) => [ChecklistId],
        _ => [],
    };

    /// <summary>The entity tag as set up of the resource <paramref name="path"/> changes, if the run knows it.</summary>
    public string? ETagFor(string path) => _etags.GetValueOrDefault(path);

    public void Dispose()
    {
        Owner.Dispose();
        Maintainer.Dispose();
    }

    private static string Id(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

