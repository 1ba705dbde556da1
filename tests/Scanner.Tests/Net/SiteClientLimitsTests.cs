using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ReadinessAspire.Testing;
using Scanner.Net;

namespace Scanner.Tests.Net;

public sealed class SiteClientLimitsTests(LocalHttpServer server) : IClassFixture<LocalHttpServer>
{
    [Fact]
    public async Task A_redirect_loop_is_followed_five_times_and_the_last_redirect_is_the_answer()
    {
        var closedPort = FreeLoopbackPorts.One();
        using var client = new SiteClient(server.Options($"{closedPort}"));

        var responses = await client.RetrieveAsync(new ScanTarget(server.Url("/loop"), HttpsPort: closedPort), CancellationToken.None);

        Assert.Equal(6, responses.HttpRedirects.Count);
        Assert.All(responses.HttpRedirects, hop => Assert.Equal((302, server.Url("/loop")), (hop.Status, hop.Url)));
        Assert.Same(responses.HttpRedirects, responses.HttpsRedirects);
        Assert.Equal(302, responses.Http?.Status);
        Assert.Null(responses.Https);
        Assert.Same(responses.Http, responses.Auto);
        // Six page hops set the cookie, then robots.txt (404) sets none.
        Assert.Equal(6, responses.SetCookies.Count(cookie => cookie.Value == "loop=1; Path=/"));
    }

    [Theory]
    [InlineData("/big", 'a')]
    [InlineData("/big-gzip", 'b')]
    public async Task A_body_is_read_only_up_to_the_cap_after_decompression(string path, char filler)
    {
        var options = server.Options();
        options.MaxBodyBytes = 1000;
        using var client = new SiteClient(options);

        var response = await client.SendAsync(HttpMethod.Get, server.Url(path), null, CancellationToken.None);

        Assert.Equal(200, response.Status);
        Assert.Equal(new string(filler, 1000), response.Body);
    }

    [Fact]
    public async Task A_body_is_decoded_with_its_charset_and_binary_bodies_are_not_read()
    {
        using var client = new SiteClient(server.Options());

        var latin1 = await client.SendAsync(HttpMethod.Get, server.Url("/latin1"), null, CancellationToken.None);
        var image = await client.SendAsync(HttpMethod.Get, server.Url("/image"), null, CancellationToken.None);

        Assert.Equal("café", latin1.Body);
        Assert.Null(image.Body);
        Assert.Equal("image/png", image.Headers.Get("content-type"));
    }

    [Fact]
    public async Task A_server_that_never_answers_hits_the_request_timeout()
    {
        using var hanging = new HangingServer();
        var options = new ScannerOptions { AllowedTargets = "127.0.0.1", AllowedPorts = $"{hanging.Port}", RequestTimeout = TimeSpan.FromMilliseconds(500) };
        using var client = new SiteClient(options);
        var clock = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() =>
            client.SendAsync(HttpMethod.Get, new Uri($"http://127.0.0.1:{hanging.Port}/"), null, CancellationToken.None));

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(5));
        Assert.IsType<TimeoutException>(failure.InnerException);
        Assert.Contains("did not answer within 0.5 s", failure.Message, StringComparison.Ordinal);
        Assert.True(hanging.Accepted > 0);
    }

    [Fact]
    public async Task A_scan_that_runs_out_of_time_fails()
    {
        using var hanging = new HangingServer();
        using var other = new HangingServer();
        var options = new ScannerOptions
        {
            AllowedTargets = "127.0.0.1",
            AllowedPorts = $"{hanging.Port},{other.Port}",
            RequestTimeout = TimeSpan.FromSeconds(30),
            ScanTimeout = TimeSpan.FromMilliseconds(500),
        };
        using var client = new SiteClient(options);
        var target = new ScanTarget(new Uri($"https://127.0.0.1:{hanging.Port}/"), HttpPort: other.Port);
        var clock = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<ScanFailedException>(() => client.RetrieveAsync(target, CancellationToken.None));

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(5));
        Assert.Contains("took longer than 0.5 s", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_scan_where_neither_session_connects_fails()
    {
        var httpPort = FreeLoopbackPorts.One();
        var httpsPort = FreeLoopbackPorts.One();
        using var client = new SiteClient(new ScannerOptions { AllowedTargets = "127.0.0.1", AllowedPorts = $"{httpPort},{httpsPort}" });

        var failure = await Assert.ThrowsAsync<ScanFailedException>(() =>
            client.RetrieveAsync(new ScanTarget(new Uri($"https://127.0.0.1:{httpsPort}/"), HttpPort: httpPort), CancellationToken.None));

        Assert.StartsWith($"neither http://127.0.0.1:{httpPort}/ (could not connect", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plain_http_site_without_https_is_retrieved_over_http()
    {
        var closedPort = FreeLoopbackPorts.One();
        using var client = new SiteClient(server.Options($"{closedPort}"));

        var responses = await client.RetrieveAsync(new ScanTarget(server.Url("/"), HttpsPort: closedPort), CancellationToken.None);

        Assert.Null(responses.Https);
        Assert.Equal(200, responses.Auto?.Status);
        Assert.True(responses.Auto?.Verified);
        Assert.Equal("<!doctype html><title>local</title>", responses.PageText);
        Assert.Equal([new RedirectHop(server.Url("/"), 200)], responses.HttpRedirects);
        Assert.Equal($"127.0.0.1:{server.Port}", responses.Hostname);
        Assert.Equal(405, responses.Cors?.Status);
    }

    /// <summary>Accepts connections and never writes a byte.</summary>
    private sealed class HangingServer : IDisposable
    {
        private readonly TcpListener listener = new(IPAddress.Loopback, 0);
        private readonly List<Socket> accepted = [];
        private readonly CancellationTokenSource stop = new();

        public HangingServer()
        {
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            _ = AcceptAsync();
        }

        public int Port { get; }

        public int Accepted
        {
            get
            {
                lock (accepted)
                {
                    return accepted.Count;
                }
            }
        }

        public void Dispose()
        {
            stop.Cancel();
            listener.Stop();
            lock (accepted)
            {
                accepted.ForEach(socket => socket.Dispose());
            }

            stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var socket = await listener.AcceptSocketAsync(stop.Token);
                    lock (accepted)
                    {
                        accepted.Add(socket);
                    }
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        }
    }
}
