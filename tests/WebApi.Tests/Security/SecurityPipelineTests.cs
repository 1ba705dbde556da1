using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using ServiceDefaults.Security;

namespace WebApi.Tests.Security;

/// <summary>ServiceDefaults' security middleware at the request level, in a host composed as WebApi composes it.</summary>
public sealed class SecurityPipelineTests
{
    private const string ForgedClient = "203.0.113.9";

    [Fact]
    public async Task Forwarded_headers_from_an_untrusted_address_are_ignored()
    {
        // Only 10.1.2.3 is the proxy, so this test's loopback connection is just a client trying to fake its identity.
        await using var host = await SecureHost.StartAsync(new Dictionary<string, string?> { ["ForwardedHeaders:KnownProxies"] = "10.1.2.3" });

        var client = await GetClientViewAsync(host, forwardedFor: ForgedClient, forwardedProto: "https");

        Assert.Equal("127.0.0.1", client.RemoteIp);
        Assert.Equal("http", client.Scheme);
    }

    [Fact]
    public async Task Forwarded_headers_from_the_loopback_proxy_are_believed()
    {
        await using var host = await SecureHost.StartAsync();

        var client = await GetClientViewAsync(host, forwardedFor: ForgedClient, forwardedProto: "https");

        Assert.Equal(ForgedClient, client.RemoteIp);
        Assert.Equal("https", client.Scheme);
    }

    [Fact]
    public async Task Only_the_address_the_proxy_appended_counts()
    {
        await using var host = await SecureHost.StartAsync();

        // The client sent "X-Forwarded-For: 198.51.100.1"; the proxy appended the real address.
        var client = await GetClientViewAsync(host, forwardedFor: $"198.51.100.1, {ForgedClient}", forwardedProto: "https");

        Assert.Equal(ForgedClient, client.RemoteIp);
    }

    [Fact]
    public async Task A_cookie_carrying_post_without_an_antiforgery_token_gets_400_problem_details()
    {
        await using var host = await SecureHost.StartAsync();
        using var http = host.CreateClient();
        var (cookie, _) = await GetAntiforgeryTokenAsync(http);

        using var response = await SendAsync(http, "/test/preferences", request =>
        {
            request.Method = HttpMethod.Post;
            request.Headers.Add("X-Forwarded-Proto", "https");
            request.Headers.Add("Cookie", $"{cookie}; __Host-ra-auth=some-session");
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task A_cookie_carrying_post_of_an_unreadable_form_without_a_token_gets_400_not_500()
    {
        // The fuzz run's unterminated multipart upload: the validator, finding no header, read the form and threw.
        await using var host = await SecureHost.StartAsync();
        using var http = host.CreateClient();
        var (cookie, _) = await GetAntiforgeryTokenAsync(http);

        using var response = await SendAsync(http, "/test/preferences", request =>
        {
            request.Method = HttpMethod.Post;
            request.Headers.Add("X-Forwarded-Proto", "https");
            request.Headers.Add("Cookie", $"{cookie}; __Host-ra-auth=some-session");
            request.Content = new StringContent(
                "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nunterminated", System.Text.Encoding.UTF8);
            request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_cookie_carrying_post_with_the_issued_token_is_accepted()
    {
        await using var host = await SecureHost.StartAsync();
        using var http = host.CreateClient();
        var (cookie, token) = await GetAntiforgeryTokenAsync(http);

        using var response = await PostWithTokenAsync(http, cookie, token);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task A_cookie_carrying_post_over_plain_http_gets_400_even_with_a_token()
    {
        await using var host = await SecureHost.StartAsync();
        using var http = host.CreateClient();
        var (cookie, token) = await GetAntiforgeryTokenAsync(http);

        using var response = await SendAsync(http, "/test/preferences", request =>
        {
            request.Method = HttpMethod.Post;
            request.Headers.Add("Cookie", cookie);
            request.Headers.Add("X-CSRF-TOKEN", token);
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_post_without_cookies_needs_no_token()
    {
        await using var host = await SecureHost.StartAsync();
        using var http = host.CreateClient();

        using var response = await http.PostAsync(new Uri("/test/preferences", UriKind.Relative), content: null);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task The_antiforgery_cookie_is_host_only_secure_httponly_and_strict()
    {
        await using var host = await SecureHost.StartAsync();
        using var http = host.CreateClient();

        using var response = await SendAsync(http, AntiforgeryTokenEndpoint.Path, request => request.Headers.Add("X-Forwarded-Proto", "https"));

        var setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("__Host-ra-antiforgery=", setCookie, StringComparison.Ordinal);
        Assert.Contains("; secure", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; path=/", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain=", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString() ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_antiforgery_token_is_not_issued_over_plain_http()
    {
        await using var host = await SecureHost.StartAsync();
        using var http = host.CreateClient();

        using var response = await http.GetAsync(new Uri(AntiforgeryTokenEndpoint.Path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task An_unhandled_exception_answers_500_problem_details_without_message_type_or_stack()
    {
        await using var host = await SecureHost.StartAsync();
        using var http = host.CreateClient();

        using var response = await http.GetAsync(new Uri("/test/crash", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("traceId").GetString()));
        Assert.DoesNotContain("secret-bearing", body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task With_an_https_port_plain_http_is_redirected_but_health_probes_and_proxied_https_are_not()
    {
        await using var host = await SecureHost.StartAsync(new Dictionary<string, string?> { ["https_port"] = "8443" });
        using var http = host.CreateClient();

        using var plain = await http.GetAsync(new Uri("/test/client", UriKind.Relative));
        using var probe = await http.GetAsync(new Uri(HealthCheckEndpoints.LivenessPath, UriKind.Relative));
        using var proxied = await SendAsync(http, "/test/client", request => request.Headers.Add("X-Forwarded-Proto", "https"));

        Assert.Equal(HttpStatusCode.TemporaryRedirect, plain.StatusCode);
        Assert.Equal("https", plain.Headers.Location?.Scheme);
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
    }

    [Fact]
    public async Task Without_an_https_port_nothing_is_redirected()
    {
        await using var host = await SecureHost.StartAsync();
        using var http = host.CreateClient();

        using var plain = await http.GetAsync(new Uri("/test/client", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
    }

    [Fact]
    public async Task Hsts_is_sent_on_https_responses_only()
    {
        await using var host = await SecureHost.StartAsync();
        using var http = host.CreateClient();

        using var https = await SendAsync(http, "/test/client", request =>
        {
            request.Headers.Host = "readiness.example.com";
            request.Headers.Add("X-Forwarded-Proto", "https");
        });
        using var plain = await SendAsync(http, "/test/client", request => request.Headers.Host = "readiness.example.com");

        Assert.Contains("max-age=31536000", Assert.Single(https.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);
        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));
    }

    internal static async Task<(string Cookie, string Token)> GetAntiforgeryTokenAsync(HttpClient http)
    {
        // As the proxy forwards a browser's HTTPS request.
        using var response = await SendAsync(http, AntiforgeryTokenEndpoint.Path, request => request.Headers.Add("X-Forwarded-Proto", "https"));
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<AntiforgeryTokenResponse>();
        var cookie = response.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        Assert.Equal("X-CSRF-TOKEN", token!.HeaderName);
        return (cookie, token.RequestToken);
    }

    internal static Task<HttpResponseMessage> PostWithTokenAsync(HttpClient http, string cookie, string token) =>
        SendAsync(http, "/test/preferences", request =>
        {
            request.Method = HttpMethod.Post;
            request.Headers.Add("X-Forwarded-Proto", "https");
            request.Headers.Add("Cookie", cookie);
            request.Headers.Add("X-CSRF-TOKEN", token);
        });

    private static async Task<SecureHost.ClientView> GetClientViewAsync(SecureHost host, string forwardedFor, string forwardedProto)
    {
        using var http = host.CreateClient();
        using var response = await SendAsync(http, "/test/client", request =>
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
            request.Headers.Add("X-Forwarded-Proto", forwardedProto);
        });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<SecureHost.ClientView>())!;
    }

    internal static async Task<HttpResponseMessage> SendAsync(HttpClient http, string path, Action<HttpRequestMessage> prepare)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        prepare(request);
        return await http.SendAsync(request);
    }
}
