using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;

namespace AppHost.Tests;

/// <summary>Talks to the proxy as a browser would: https://localhost, trusting only the AppHost's local CA.</summary>
internal static class ProxyClient
{
    public static HttpClient Create(DistributedApplication app, bool followRedirects = false) =>
        Create(HttpsBase(app), CaCertificatePath(app), followRedirects);

    /// <summary>A client of the proxy at <paramref name="baseAddress"/> that trusts only the CA in <paramref name="caCertificatePath"/>.</summary>
    public static HttpClient Create(Uri baseAddress, string caCertificatePath, bool followRedirects = false) =>
        new(CreateHandler(caCertificatePath, followRedirects))
        {
            BaseAddress = baseAddress,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>The handler of <see cref="Create(Uri, string, bool)"/>'s clients, for a test that changes how it connects.</summary>
    public static SocketsHttpHandler CreateHandler(string caCertificatePath, bool followRedirects = false)
    {
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(caCertificatePath));
        return new SocketsHttpHandler
        {
            AllowAutoRedirect = followRedirects,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return certificate is X509Certificate2 server && chain.Build(server);
                },
            },
        };
    }

    /// <summary>
    /// A handler whose connections come from <paramref name="source"/>, a loopback address of the test's own: nginx limits
    /// requests per client address, and every other test's client is 127.0.0.1.
    /// </summary>
    public static SocketsHttpHandler CreateHandlerFrom(IPAddress source, string caCertificatePath)
    {
        var handler = CreateHandler(caCertificatePath);
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
        return handler;
    }

    public static Uri HttpsBase(DistributedApplication app) => new($"https://localhost:{app.GetEndpoint("proxy", "https").Port}");

    public static Uri HttpBase(DistributedApplication app) => new($"http://localhost:{app.GetEndpoint("proxy", "http").Port}");

    /// <summary>The AppHost's local certificate authority, which signed the proxy's certificate.</summary>
    public static string CaCertificatePath(DistributedApplication app) =>
        app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<NginxResource>().Single().Certificates!.CaCertificatePath;
}

/// <summary>
/// nginx's access log as Aspire keeps it: the proxy writes one JSON object per request to its standard output, which
/// DCP captures as the proxy resource's console log. Follows that log from its first line until disposed.
/// </summary>
internal sealed partial class ProxyAccessLog : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;
    private readonly Dictionary<string, JsonElement> _byRequestId = new(StringComparer.Ordinal);
    private readonly List<JsonElement> _entries = [];
    private readonly List<string> _otherOutput = [];
    private readonly List<string> _errorLog = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _nginxStarted;

    private ProxyAccessLog(DistributedApplication app)
    {
        var proxy = app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<NginxResource>().Single();
        var logs = app.Services.GetRequiredService<ResourceLoggerService>();
        _reading = Task.Run(() => ReadAsync(logs, proxy, _stop.Token));
    }

    public static ProxyAccessLog Follow(DistributedApplication app) => new(app);

    /// <summary>Every access log entry read so far, in the order nginx wrote them.</summary>
    public IReadOnlyList<JsonElement> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    /// <summary>What nginx wrote to standard output that is not a JSON object (Aspire's and DCP's own lines and nginx's stderr excluded).</summary>
    public IReadOnlyList<string> OtherOutput
    {
        get
        {
            lock (_entries)
            {
                return [.. _otherOutput];
            }
        }
    }

    /// <summary>nginx's error log (its standard error), each line as nginx wrote it.</summary>
    public IReadOnlyList<string> ErrorLog
    {
        get
        {
            lock (_entries)
            {
                return [.. _errorLog];
            }
        }
    }

    /// <summary>The entry of each request id, once every one of them has been logged.</summary>
    public async Task<IReadOnlyDictionary<string, JsonElement>> WaitForRequestsAsync(IReadOnlyCollection<string> requestIds, CancellationToken cancellationToken)
    {
        await WaitUntilAsync(() => requestIds.All(_byRequestId.ContainsKey), () => $"{requestIds.Count(id => !_byRequestId.ContainsKey(id))} of {requestIds.Count} requests never appeared in the access log", cancellationToken);
        lock (_entries)
        {
            return requestIds.Distinct(StringComparer.Ordinal).ToDictionary(id => id, id => _byRequestId[id], StringComparer.Ordinal);
        }
    }

    /// <summary>How many entries have been read so far.</summary>
    public int Count
    {
        get
        {
            lock (_entries)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The first entry that <paramref name="match"/> accepts, among those read (or to come) after the first <paramref name="after"/>.</summary>
    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> match, CancellationToken cancellationToken, int after = 0)
    {
        await WaitUntilAsync(() => _entries.Skip(after).Any(match), () => "no access log entry matched", cancellationToken);
        lock (_entries)
        {
            return _entries.Skip(after).First(match);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reading;
        _stop.Dispose();
    }

    private async Task WaitUntilAsync(Func<bool> done, Func<string> failure, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_entries)
            {
                if (done())
                {
                    return;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                lock (_entries)
                {
                    throw new Xunit.Sdk.XunitException($"{failure()} ({_entries.Count} entries read)");
                }
            }
        }
    }

    private async Task ReadAsync(ResourceLoggerService logs, IResource proxy, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var batch in logs.WatchAsync(proxy).WithCancellation(cancellationToken))
            {
                lock (_entries)
                {
                    foreach (var line in batch)
                    {
                        Add(line);
                    }

                    _changed.TrySetResult();
                    _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void Add(LogLine line)
    {
        // DCP puts the time it read the line in front of it.
        var content = DcpTimestamp().Replace(line.Content, string.Empty, 1);
        if (line.IsErrorMessage)
        {
            _errorLog.Add(content);
            return;
        }

        if (content.StartsWith("[sys] ", StringComparison.Ordinal))
        {
            // DCP's own lines.
            _nginxStarted |= content.StartsWith("[sys] Starting process", StringComparison.Ordinal);
            return;
        }

        var entry = ParseObject(content);
        if (entry is null)
        {
            // Before nginx starts, Aspire logs its waits here; after, everything on standard output is nginx's.
            // (The backlog keeps the last 10,000 lines: an entry read means nginx had started.)
            if (_nginxStarted || _entries.Count > 0)
            {
                _otherOutput.Add(content);
            }

            return;
        }

        _entries.Add(entry.Value);
        if (entry.Value.TryGetProperty("request_id", out var id) && id.GetString() is { } requestId)
        {
            _byRequestId.TryAdd(requestId, entry.Value);
        }
    }

    private static JsonElement? ParseObject(string content)
    {
        try
        {
            using var document = JsonDocument.Parse(content);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T[0-9:.]+Z ")]
    private static partial Regex DcpTimestamp();
}
