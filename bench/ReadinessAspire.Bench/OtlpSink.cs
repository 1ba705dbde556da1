using System.Net;
using ReadinessAspire.Testing;

namespace ReadinessAspire.Bench;

/// <summary>
/// Where a deployment's OpenTelemetry collector would be: an OTLP/HTTP endpoint on 127.0.0.1 that accepts every
/// export and drops it. The testing builder runs without the dashboard, so without it each service's exporters would
/// fail every second, and a scenario would measure those failures (exceptions, retries) rather than telemetry.
/// </summary>
internal sealed class OtlpSink : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private long _exports;
    private long _bytes;

    public OtlpSink()
    {
        Endpoint = $"http://127.0.0.1:{FreeLoopbackPorts.One()}";

        _listener.Prefixes.Add($"{Endpoint}/");
        _listener.Start();
        _loop = Task.Run(ReceiveAsync);
    }

    public string Endpoint { get; }

    /// <summary>Exports received so far (traces, metrics and logs), and their bytes.</summary>
    public (long Exports, long Bytes) Received => (Interlocked.Read(ref _exports), Interlocked.Read(ref _bytes));

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.ContinueWith(_ => { }, TaskScheduler.Default).Wait(TimeSpan.FromSeconds(5));
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                int read;
                while ((read = await context.Request.InputStream.ReadAsync(buffer)) > 0)
                {
                    Interlocked.Add(ref _bytes, read);
                }

                Interlocked.Increment(ref _exports);
                // An empty Export*ServiceResponse is zero bytes of protobuf.
                context.Response.StatusCode = (int)HttpStatusCode.OK;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.ContentLength64 = 0;
                context.Response.Close();
            }
            catch (Exception ex) when (ex is HttpListenerException or IOException)
            {
                // The exporter gave up on this request (the service stopping): nothing to answer.
            }
        }
    }
}
