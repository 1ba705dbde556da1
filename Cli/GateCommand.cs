using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Cli;

/// <summary>`readiness gate`: asks the server whether a service's latest review and scan let a deployment through.</summary>
internal static class GateCommand
{
    public const string TokenVariable = "READINESS_TOKEN";

    public static Command Create(CliConsole console, HttpMessageHandler? handler)
    {
        var server = new Option<string>("--server") { Description = "The ReadinessAspire server, e.g. https://readiness.example.com.", Required = true };
        var service = new Option<string>("--service") { Description = "The service's slug.", Required = true };
        var environment = new Option<string>("--env") { Description = "The environment, e.g. production.", Required = true };
        var token = new Option<string?>("--token") { Description = $"An API token (else ${TokenVariable}, which keeps it off the command line)." };
        var failUnder = new Option<string?>("--fail-under") { Description = "The minimum scan grade (A+ .. F); the server's default when absent." };

        var command = new Command("gate", "Ask the server's gate whether a service may deploy.") { server, service, environment, token, failUnder };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var serverUrl = ReadinessCli.ParseHttpUrl(parsed.GetValue(server), "--server");
            var slug = parsed.GetValue(service) is { Length: > 0 } given ? given : throw ReadinessCli.BadInput("--service is empty");
            var environmentName = parsed.GetValue(environment) is { Length: > 0 } named ? named : throw ReadinessCli.BadInput("--env is empty");
            var bearer = parsed.GetValue(token) is { Length: > 0 } option ? option
                : console.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } variable ? variable
                : throw ReadinessCli.BadInput($"no token: pass --token or set {TokenVariable}");
            var minimum = ReadinessCli.ParseGrade(parsed.GetValue(failUnder));

            var query = $"api/gate?service={Uri.EscapeDataString(slug)}&environment={Uri.EscapeDataString(environmentName)}"
                + (minimum is null ? "" : $"&minimumGrade={Uri.EscapeDataString(minimum)}");
            var requestUrl = new Uri(new Uri(serverUrl.ToString().TrimEnd('/') + "/"), query);
            return await AskAsync(requestUrl, bearer, handler, console, cancellationToken);
        });
        return command;
    }

    private static async Task<int> AskAsync(Uri url, string token, HttpMessageHandler? handler, CliConsole console, CancellationToken cancellationToken)
    {
        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.Timeout = TimeSpan.FromSeconds(30);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new CliException(ExitCodes.Error, $"could not reach {url.GetLeftPart(UriPartial.Authority)}: {exception.Message}");
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                var problem = ProblemText(body);
                var code = response.StatusCode == HttpStatusCode.BadRequest ? ExitCodes.BadInput : ExitCodes.Error;
                throw new CliException(code, $"the server answered {(int)response.StatusCode} {response.ReasonPhrase}{(problem is null ? "" : $": {problem}")}");
            }

            return await PrintVerdictAsync(body, console);
        }
    }

    private static async Task<int> PrintVerdictAsync(string body, CliConsole console)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var passed = root.GetProperty("passed").GetBoolean();
            var service = root.TryGetProperty("service", out var serviceName) ? serviceName.ToString() : "";
            var environment = root.TryGetProperty("environment", out var environmentName) ? environmentName.ToString() : "";
            await console.Out.WriteLineAsync($"{(passed ? "PASSED" : "FAILED")}: {service} in {environment}");
            if (root.TryGetProperty("review", out var review) && review.ValueKind == JsonValueKind.Object)
            {
                await console.Out.WriteLineAsync(
                    $"  review: {review.GetProperty("score")} of threshold {review.GetProperty("threshold")} ({review.GetProperty("tier")}), {(review.GetProperty("passed").GetBoolean() ? "passed" : "failed")}");
            }

            if (root.TryGetProperty("scan", out var scan) && scan.ValueKind == JsonValueKind.Object)
            {
                await console.Out.WriteLineAsync(
                    $"  scan: {scan.GetProperty("grade")} (score {scan.GetProperty("score")}) at {scan.GetProperty("scannedAt")}, {(scan.GetProperty("passed").GetBoolean() ? "passed" : "failed")}");
            }

            if (root.TryGetProperty("reasons", out var reasons) && reasons.ValueKind == JsonValueKind.Array)
            {
                foreach (var reason in reasons.EnumerateArray())
                {
                    await console.Out.WriteLineAsync($"  - {reason}");
                }
            }

            return passed ? ExitCodes.Passed : ExitCodes.Failed;
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new CliException(ExitCodes.Error, $"the server's answer is not a gate verdict: {exception.Message}");
        }
    }

    /// <summary>"title: detail" of an RFC 9457 problem details body, when it is one.</summary>
    private static string? ProblemText(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var title = root.TryGetProperty("title", out var titleValue) ? titleValue.GetString() : null;
            var detail = root.TryGetProperty("detail", out var detailValue) ? detailValue.GetString() : null;
            return string.Join(": ", new[] { title, detail }.Where(part => !string.IsNullOrEmpty(part)));
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
