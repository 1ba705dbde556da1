using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AppHost.Tests.Product;

/// <summary>
/// One person using the product through the proxy over HTTPS, as a browser would: cookies kept by hand (the client
/// is shared), the antiforgery token sent on every write. Or, with <see cref="WithToken"/>, a script with a bearer token.
/// </summary>
internal sealed partial class ProductUser : IDisposable
{
    public const string Password = "correct horse battery staple";
    private readonly HttpClient _client;
    private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);
    private readonly string? _dataDirectory;
    private string? _csrf;
    private string? _bearer;

    private ProductUser(HttpClient client, string email, string? dataDirectory)
    {
        _client = client;
        Email = email;
        _dataDirectory = dataDirectory;
    }

    public string Email { get; }

    public string Id { get; private set; } = "";

    public IReadOnlyDictionary<string, string> Cookies => _cookies;

    /// <summary>The antiforgery request token that goes with <see cref="Cookies"/> (none for a token client).</summary>
    public string? CsrfToken => _csrf;

    /// <summary>Signs up, follows the confirmation link the WebApi wrote to its log, and signs in.</summary>
    public static Task<ProductUser> SignUpAsync(StackFixture stack, string name) => SignUpAsync(stack.App, stack.DataDirectory, name);

    /// <inheritdoc cref="SignUpAsync(StackFixture, string)"/>
    public static async Task<ProductUser> SignUpAsync(DistributedApplication app, string dataDirectory, string name)
    {
        var user = new ProductUser(ProxyClient.Create(app), $"{name}-{Guid.NewGuid():N}@example.com", dataDirectory);
        await user.RefreshCsrfAsync();
        await user.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/account/sign-up", new { email = user.Email, password = Password });
        var link = await MailedLinkAsync(dataDirectory, "confirmation", user.Email);
        Assert.StartsWith(ProxyClient.HttpsBase(app).GetLeftPart(UriPartial.Authority), link, StringComparison.Ordinal);
        await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, new Uri(link).PathAndQuery);
        var signedIn = await user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/account/sign-in", new { email = user.Email, password = Password });
        user.Id = signedIn!["id"]!.GetValue<string>();
        // The token is bound to the signed-in user.
        await user.RefreshCsrfAsync();
        return user;
    }

    /// <summary>A browser that has signed no one in yet: it holds only the antiforgery cookie and token.</summary>
    public static async Task<ProductUser> AnonymousAsync(StackFixture stack)
    {
        var user = new ProductUser(ProxyClient.Create(stack.App), "anonymous", stack.DataDirectory);
        await user.RefreshCsrfAsync();
        return user;
    }

    /// <summary>A client that sends only <c>Authorization: Bearer</c>: no cookies, so no antiforgery token either.</summary>
    public static ProductUser WithToken(StackFixture stack, string token) => WithToken(stack.App, token);

    /// <inheritdoc cref="WithToken(StackFixture, string)"/>
    public static ProductUser WithToken(DistributedApplication app, string token) =>
        new(ProxyClient.Create(app), "token", dataDirectory: null) { _bearer = token };

    /// <summary>The same session cookies without the antiforgery token, as a forged cross-site request would carry them.</summary>
    public ProductUser WithoutCsrfToken(StackFixture stack)
    {
        var forged = new ProductUser(ProxyClient.Create(stack.App), Email, stack.DataDirectory) { Id = Id };
        foreach (var (name, value) in _cookies)
        {
            forged._cookies[name] = value;
        }

        return forged;
    }

    public void SetCookie(string name, string value) => _cookies[name] = value;

    public async Task RefreshCsrfAsync()
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/antiforgery/token");
        response.EnsureSuccessStatusCode();
        _csrf = (await response.Content.ReadFromJsonAsync<JsonObject>())!["requestToken"]!.GetValue<string>();
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null, string? ifMatch = null, IDictionary<string, string>? headers = null, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        else if (content is not null)
        {
            request.Content = content;
        }

        if (_cookies.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}")));
        }

        if (_csrf is not null && method != HttpMethod.Get)
        {
            request.Headers.Add("X-CSRF-TOKEN", _csrf);
        }

        if (_bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _bearer);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await _client.SendAsync(request);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var setCookie in setCookies)
            {
                var pair = setCookie.Split(';', 2)[0].Split('=', 2);
                _cookies[pair[0]] = pair[1];
            }
        }

        return response;
    }

    /// <summary>Sends, asserts the status, and returns the JSON body (null for an empty one).</summary>
    public async Task<JsonNode?> ExpectAsync(HttpStatusCode expected, HttpMethod method, string path, object? body = null, string? ifMatch = null, IDictionary<string, string>? headers = null, HttpContent? content = null)
    {
        using var response = await SendAsync(method, path, body, ifMatch, headers, content);
        var text = await response.Content.ReadAsStringAsync();
        if (expected != response.StatusCode)
        {
            Assert.Fail($"{method} {path}: expected {(int)expected}, got {(int)response.StatusCode}: {text}{(_dataDirectory is null ? "" : await WebApiLog.ForProblemAsync(_dataDirectory, text))}");
        }

        if ((int)response.StatusCode >= 400)
        {
            // Every refusal is RFC 7807 problem details.
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    public async Task<JsonNode> CreateTeamAsync(string name = "Team")
    {
        var slug = $"team-{Guid.NewGuid():N}"[..20];
        return (await ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/teams", new { name, slug }))!;
    }

    public async Task<JsonNode> CreateServiceAsync(string teamId, string tier = "A", string[]? tags = null, string? name = null)
    {
        var slug = $"svc-{Guid.NewGuid():N}"[..20];
        return (await ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/services", new
        {
            teamId,
            name = name ?? "Checkout " + slug,
            slug,
            description = "Takes payments",
            repositoryUrl = "https://example.com/checkout",
            tags = tags ?? ["payments"],
            environments = new[] { new { name = "production", baseUrl = "https://checkout.example.com" } },
            tier,
        }))!;
    }

    public async Task AddMemberAsync(string teamId, ProductUser member, string role) =>
        await ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/teams/{teamId}/members", new { email = member.Email, role });

    public void Dispose() => _client.Dispose();

    /// <summary>
    /// Development mail: the first <paramref name="kind"/> link (<c>confirmation</c>, <c>password-reset</c>) for
    /// <paramref name="email"/>, from the WebApi replicas' JSON log files in the data directory.
    /// </summary>
    public static async Task<string> MailedLinkAsync(string dataDirectory, string kind, string email)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            await foreach (var line in WebApiLog.LinesAsync(dataDirectory))
            {
                if (line.Contains($"{kind} link for {email}: ", StringComparison.Ordinal)
                    && MailedLink().Match(JsonDocument.Parse(line).RootElement.GetProperty("message").GetString()!) is { Success: true } match)
                {
                    return match.Value;
                }
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"No {kind} link for {email} in {Path.Combine(dataDirectory, "logs", "webapi")}");
    }

    [GeneratedRegex(@"https://[^\s""]+\?[^\s""]+$")]
    private static partial Regex MailedLink();
}
