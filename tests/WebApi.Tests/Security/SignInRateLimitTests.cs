using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace WebApi.Tests.Security;

/// <summary>
/// The sign-in limiter of a real WebApi process: PostgreSQL is named on a closed port, so each attempt that gets
/// through fails with 503, and the limiter's 429 shows without any account existing.
/// </summary>
public sealed class SignInRateLimitTests : IDisposable
{
    private readonly ProductionSettings _settings = new();

    [Fact]
    public async Task Sign_in_attempts_past_the_limit_get_429_problem_details_with_retry_after()
    {
        var environment = _settings.GoodWith("Accounts__SignInsPerMinute", "3");
        await using var webApi = await WebApiProcess.StartAsync(environment);
        using var client = webApi.CreateClient();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            last?.Dispose();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/account/sign-in")
            {
                Content = JsonContent.Create(new { email = "someone@example.com", password = "not the password" }),
            };
            // As the trusted proxy forwards it, so the request counts as HTTPS.
            request.Headers.Add("X-Forwarded-Proto", "https");
            last = await client.SendAsync(request);
            statuses.Add(last.StatusCode);
        }

        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses.Take(3));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[3]);
        Assert.Equal("application/problem+json", last!.Content.Headers.ContentType?.MediaType);
        Assert.True(int.Parse(Assert.Single(last.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture) > 0);
        using var problem = JsonDocument.Parse(await last.Content.ReadAsStringAsync());
        Assert.Equal(429, problem.RootElement.GetProperty("status").GetInt32());
        last.Dispose();
    }

    public void Dispose() => _settings.Dispose();
}
