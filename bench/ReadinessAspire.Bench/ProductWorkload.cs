using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace ReadinessAspire.Bench;

/// <summary>
/// What the product scenarios measure with: a user signed up through the proxy as anyone would, a read-write personal
/// access token, teams with services with an open review each (as many as the writers need, one item per writer), and
/// a wrk script that PATCHes those items. Each wrk thread owns one item and one connection and sends the ETag of its
/// last answer in If-Match, so every PATCH is a real write (200); the script reads the item's current ETag when it
/// starts. By default all the writers are in one team, so every write takes its turn on the team's audit chain: the
/// hardest case.
/// </summary>
internal sealed class ProductWorkload
{
    private static readonly string[] s_readWrite = ["read", "write"];

    private ProductWorkload(string token, string servicePath, string reviewPath, IReadOnlyList<WrittenItem> items, string proxyBase)
    {
        Token = token;
        ReviewPath = reviewPath;
        Items = items;
        ProxyBase = proxyBase;
        ServicePath = servicePath;
    }

    public string Token { get; }

    /// <summary><c>/api/reviews/{id}</c> of the first service's review.</summary>
    public string ReviewPath { get; }

    /// <summary><c>/api/services/{id}</c> of the bench's first service.</summary>
    public string ServicePath { get; }

    /// <summary>One item per writer.</summary>
    public IReadOnlyList<WrittenItem> Items { get; }

    private string ProxyBase { get; }

    public string[] BearerHeader => [$"Authorization: Bearer {Token}"];

    /// <remarks>The bench's stack signs in without email confirmation (<c>Accounts__RequireConfirmedEmail=false</c>).</remarks>
    public static async Task<ProductWorkload> CreateAsync(BenchStack stack, int writers, int teams, CancellationToken cancellationToken)
    {
        var proxyBase = stack.ProxyUrl("");
        var cookies = new CookieContainer();
        using var client = HttpProbe.CreateClient(Path.Combine(stack.CertificateDirectory, "ca.crt"), cookies);
        client.BaseAddress = new Uri(proxyBase);
        var email = $"bench-{Guid.NewGuid():N}@example.com";
        var credentials = new { email, password = "benchmark passphrase" };

        await PostAsync(client, "/api/account/sign-up", credentials, HttpStatusCode.Accepted, cancellationToken);
        await PostAsync(client, "/api/account/sign-in", credentials, HttpStatusCode.OK, cancellationToken);
        var token = (await PostAsync(client, "/api/account/tokens", new { name = "bench", scopes = s_readWrite, expiresInDays = 1 }, HttpStatusCode.Created, cancellationToken))["token"]!.GetValue<string>();
        var items = new List<WrittenItem>();
        var servicePaths = new List<string>();
        for (var t = 0; t < teams; t++)
        {
            // The writers split as evenly as they go; each team's services are reviewed until its writers have an item each.
            var teamWriters = (writers / teams) + (t < writers % teams ? 1 : 0);
            var team = await PostAsync(client, "/api/teams", new { name = $"Bench {t + 1}", slug = $"bench-{Guid.NewGuid():N}"[..20] }, HttpStatusCode.Created, cancellationToken);
            var teamId = team["id"]!.GetValue<string>();
            for (var teamItems = 0; teamItems < teamWriters;)
            {
                var service = await PostAsync(client, "/api/services", new { teamId, name = $"Bench service {servicePaths.Count + 1}", slug = $"bench-{Guid.NewGuid():N}"[..20], tier = "A" }, HttpStatusCode.Created, cancellationToken);
                servicePaths.Add($"/api/services/{service["id"]}");
                var review = await PostAsync(client, $"{servicePaths[^1]}/reviews", new { }, HttpStatusCode.Created, cancellationToken);
                var reviewPath = $"/api/reviews/{review["id"]}";
                var taken = review["items"]!.AsArray().Take(teamWriters - teamItems).Select(i => new WrittenItem(reviewPath, i!["itemId"]!.GetValue<string>())).ToList();
                items.AddRange(taken);
                teamItems += taken.Count;
            }
        }

        return new ProductWorkload(token, servicePaths[0], items[0].ReviewPath, items, proxyBase);
    }

    /// <summary>Writes the PATCH script and returns its path.</summary>
    public string WritePatchScript(string directory)
    {
        var script = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"local items = {{ {string.Join(", ", Items.Select(i => $"{{ {Lua(i.ReviewPath)}, {Lua(i.ItemId)} }}"))} }}")
            .AppendLine(CultureInfo.InvariantCulture, $"local bearer = {Lua("Bearer " + Token)}")
            .AppendLine("""
                -- Each thread (one connection) owns one item. It reads the item's ETag from the review first (a run
                -- starts where the last one left the item), then PATCHes with If-Match, taking the ETag of each answer;
                -- after a 412 it reads the review again.
                local threads = 0
                function setup(thread)
                  threads = threads + 1
                  thread:set("index", threads)
                end
                function init(args)
                  review = items[index][1]
                  item = items[index][2]
                  etag = nil
                  n = 0
                end
                function request()
                  if etag == nil then
                    return wrk.format("GET", review, { ["Authorization"] = bearer })
                  end
                  n = n + 1
                  local status = (n % 2 == 0) and "Done" or "InProgress"
                  local body = '{"status":"' .. status .. '","notes":"bench write ' .. n .. '"}'
                  return wrk.format("PATCH", review .. "/items/" .. item, { ["Authorization"] = bearer, ["Content-Type"] = "application/json", ["If-Match"] = etag }, body)
                end
                function response(status, headers, body)
                  if etag == nil then
                    local at = string.find(body, '"itemId":"' .. item .. '"', 1, true)
                    etag = at and string.match(body, '"etag":"\\"(%d+)\\""', at) or nil
                    if etag then etag = '"' .. etag .. '"' end
                  elseif status == 412 then
                    etag = nil
                  else
                    etag = headers["ETag"] or headers["etag"] or etag
                  end
                end
                """);
        var path = Path.Combine(directory, "patch-item.lua");
        File.WriteAllText(path, script.ToString());
        return path;
    }

    public string Url(string path) => ProxyBase + path;

    /// <summary>An item of a review, written by one wrk thread.</summary>
    internal sealed record WrittenItem(string ReviewPath, string ItemId);

    private static string Lua(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <remarks>
    /// Sent again, up to 10 times, when a replica could not read the session cookie or antiforgery token another replica
    /// made (401, or 400 naming the antiforgery token): replicas that start together on a new data directory may each
    /// make a data-protection key of their own, and one does not look for the other's (seen at 40 load on 2 cores).
    /// Neither answer changed anything, and the product scenarios only use the bearer token, which every replica reads.
    /// </remarks>
    private static async Task<JsonNode> PostAsync(HttpClient client, string path, object body, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
            request.Headers.Add("X-CSRF-TOKEN", await CsrfTokenAsync(client, cancellationToken));
            using var response = await client.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode == expected)
            {
                return JsonNode.Parse(text)!;
            }

            var unreadable = response.StatusCode == HttpStatusCode.Unauthorized
                || (response.StatusCode == HttpStatusCode.BadRequest && text.Contains("Antiforgery", StringComparison.Ordinal));
            if (!unreadable || attempt == 10)
            {
                throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}, not {(int)expected}: {text}");
            }

            Console.WriteLine($"  POST {path} answered {(int)response.StatusCode} (a replica could not read another's cookie or token); again");
        }
    }

    // Fetched before each write: the token is bound to the user, who changes at sign-in.
    private static async Task<string> CsrfTokenAsync(HttpClient client, CancellationToken cancellationToken) =>
        (await client.GetFromJsonAsync<JsonObject>("/api/antiforgery/token", cancellationToken))!["requestToken"]!.GetValue<string>();
}
