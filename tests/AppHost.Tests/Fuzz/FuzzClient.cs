using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.OpenApi;

namespace AppHost.Tests.Fuzz;

/// <summary>An answer as received: status, media type, body.</summary>
internal sealed record FuzzResponse(int Status, string? MediaType, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);
}

/// <summary>
/// Sends generated requests through the proxy over HTTPS with exactly the headers each names (no cookie jar: a
/// sign-out answer cannot end the run's session). Paced under the proxy's rate limit (50 a second from one address),
/// so its 429 stays rare; a 429 asking to retry within a second is retried.
/// </summary>
internal sealed class FuzzClient(HttpClient client, FuzzWorld world)
{
    private static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(25);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _next = TimeSpan.Zero;

    public int Sent { get; private set; }

    public async Task<FuzzResponse> SendAsync(FuzzRequest request)
    {
        for (var attempt = 0; ; attempt++)
        {
            await PaceAsync();
            using var message = Build(request);
            using var response = await client.SendAsync(message);
            Sent++;
            var body = await response.Content.ReadAsByteArrayAsync();
            if ((int)response.StatusCode == 429 && attempt < 2 && response.Headers.RetryAfter?.Delta is { TotalSeconds: <= 1 })
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                continue;
            }

            return new FuzzResponse((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
        }
    }

    private async Task PaceAsync()
    {
        var now = _clock.Elapsed;
        if (_next > now)
        {
            await Task.Delay(_next - now);
        }

        _next = (_next > now ? _next : now) + Spacing;
    }

    private HttpRequestMessage Build(FuzzRequest request)
    {
        var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(request.Target, UriKind.Relative));
        if (request.Body is { } body)
        {
            message.Content = new ByteArrayContent(body.Bytes);
            message.Content.Headers.ContentType = null;
            if (body.ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", body.ContentType);
            }
        }

        switch (request.Caller)
        {
            case Caller.Token:
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", world.Token);
                break;
            case Caller.ForgedToken:
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "ra_pat_" + new string('A', 43));
                break;
            case Caller.Session or Caller.SessionWithoutCsrf:
                message.Headers.Add("Cookie", string.Join("; ", world.Maintainer.Cookies.Select(c => $"{c.Key}={c.Value}")));
                if (request.Caller == Caller.Session)
                {
                    message.Headers.Add("X-CSRF-TOKEN", world.Maintainer.CsrfToken);
                }

                break;
        }

        foreach (var (name, value) in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        return message;
    }
}

/// <summary>What an answer must be, by the operation's document: below 500, a declared status, a declared media type, a body its schema accepts.</summary>
internal static class ResponseCheck
{
    public static List<string> Violations(ApiOperation operation, FuzzResponse response)
    {
        var violations = new List<string>();
        if (response.Status >= 500)
        {
            violations.Add($"answered {response.Status}");
        }

        var declared = operation.Response(response.Status);
        if (declared is null)
        {
            violations.Add($"answered {response.Status}, which the document does not declare (it declares {string.Join(", ", operation.DeclaredStatuses)})");
            return violations;
        }

        var content = declared.Content ?? new Dictionary<string, OpenApiMediaType>();
        if (content.Count == 0)
        {
            if (response.Body.Length > 0)
            {
                violations.Add($"answered {response.Status} with a {response.MediaType ?? "untyped"} body, where the document declares none");
            }

            return violations;
        }

        if (response.MediaType is null || !content.TryGetValue(response.MediaType, out var media))
        {
            violations.Add($"answered {response.Status} as {response.MediaType ?? "no content type"} ({response.Body.Length} bytes), where the document declares {string.Join(" or ", content.Keys)}");
            return violations;
        }

        // A file (format binary) is its bytes, whatever its type.
        if (media.Schema is { } schema && IsJson(response.MediaType) && schema.Format != "binary")
        {
            try
            {
                using var document = JsonDocument.Parse(response.Body);
                violations.AddRange(SchemaCheck.Errors(document.RootElement, schema).Select(error => $"answered {response.Status} with a body its schema refuses: {error}"));
            }
            catch (JsonException exception)
            {
                violations.Add($"answered {response.Status} as {response.MediaType} with a body that is not JSON: {exception.Message}");
            }
        }

        return violations;
    }

    private static bool IsJson(string mediaType) =>
        mediaType == "application/json" || mediaType.EndsWith("+json", StringComparison.Ordinal);
}
