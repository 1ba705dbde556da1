using System.Net;
using ReadinessAspire.Testing;

namespace AppHost.Tests;

/// <summary>One span as OTLP carries it: ids in hex, the service that produced it and its attributes.</summary>
internal sealed record ReceivedSpan(string TraceId, string SpanId, string? ParentSpanId, string Name, int Kind, string? ServiceName, IReadOnlyDictionary<string, string> Attributes)
{
    public const int ServerKind = 2;
}

/// <summary>
/// An OTLP/HTTP collector on 127.0.0.1: the services export their real spans to it (POST /v1/traces, protobuf), so
/// a test can follow one request from the proxy to PostgreSQL. Metrics and logs are accepted and dropped.
/// </summary>
internal sealed class OtlpTraceReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<ReceivedSpan> _spans = [];
    private readonly Task _loop;

    public OtlpTraceReceiver()
    {
        Endpoint = $"http://127.0.0.1:{FreeLoopbackPorts.One()}";

        _listener.Prefixes.Add($"{Endpoint}/");
        _listener.Start();
        _loop = Task.Run(ReceiveAsync);
    }

    public string Endpoint { get; }

    public IReadOnlyList<ReceivedSpan> Spans
    {
        get
        {
            lock (_spans)
            {
                return [.. _spans];
            }
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.ContinueWith(_ => { }, TaskScheduler.Default).Wait(TimeSpan.FromSeconds(5));
    }

    private async Task ReceiveAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            if (context.Request.Url?.AbsolutePath == "/v1/traces")
            {
                var spans = OtlpTraceDecoder.Decode(body.ToArray());
                lock (_spans)
                {
                    _spans.AddRange(spans);
                }
            }

            // An empty Export*ServiceResponse is zero bytes of protobuf.
            context.Response.StatusCode = (int)HttpStatusCode.OK;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }
}
