namespace AppHost.Tests;

/// <summary>
/// A steady stream of GETs from a few concurrent clients, recording every answer, until disposed. Each client
/// pauses between requests, so the stream stays under the proxy's per-client rate limit (50 r/s).
/// </summary>
internal sealed class LoadLoop : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _clients;
    private readonly List<(DateTime At, int Status, string? MediaType)> _answers = [];

    public LoadLoop(Func<HttpClient> createClient, string path, int concurrency = 2, IDictionary<string, string>? headers = null)
    {
        _clients = [.. Enumerable.Range(0, concurrency).Select(_ => Task.Run(() => RunAsync(createClient(), path, headers)))];
    }

    public IReadOnlyList<(DateTime At, int Status, string? MediaType)> Answers
    {
        get
        {
            lock (_answers)
            {
                return [.. _answers];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_clients);
        _stop.Dispose();
    }

    private async Task RunAsync(HttpClient client, string path, IDictionary<string, string>? headers)
    {
        using (client)
        {
            while (!_stop.IsCancellationRequested)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                foreach (var (name, value) in headers ?? new Dictionary<string, string>())
                {
                    request.Headers.Add(name, value);
                }

                (int, string?) answer;
                try
                {
                    using var response = await client.SendAsync(request, CancellationToken.None);
                    answer = ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType);
                }
                catch (HttpRequestException)
                {
                    answer = (0, null); // No HTTP answer at all: the worst kind of failure.
                }

                lock (_answers)
                {
                    _answers.Add((DateTime.UtcNow, answer.Item1, answer.Item2));
                }

                await Task.Delay(60, CancellationToken.None);
            }
        }
    }
}
