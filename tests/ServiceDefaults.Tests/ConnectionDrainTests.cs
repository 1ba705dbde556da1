using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServiceDefaults.Shutdown;

namespace ServiceDefaults.Tests;

/// <summary>
/// On SIGTERM a service first drains: it goes on answering, every answer closing its connection, until no connection
/// is left or the drain delay has passed; only then does Kestrel stop. A proxy's idle keep-alive connection is the case
/// that matters: without the drain, a request written onto it as the server stops is lost.
/// </summary>
public sealed class ConnectionDrainTests
{
    // Long, so that only the last connection closing can end the drain within the test.
    private static readonly Dictionary<string, string?> s_longDrain = new()
    {
        ["Shutdown:DrainDelay"] = "00:01:00",
        ["Shutdown:Timeout"] = "00:01:30",
        ["HealthChecks:CacheDuration"] = "00:00:00",
    };

    [Fact]
    public async Task A_request_on_an_idle_keep_alive_connection_after_SIGTERM_is_answered_and_its_connection_closed()
    {
        await using var app = await TestApp.StartAsync(s_longDrain, withManagementPort: false, map: app => app.MapPost("/orders/{id:int}", (int id) => id));
        app.Public.Dispose();
        using var proxy = await RawConnection.OpenAsync(app.PublicPort);
        var before = await proxy.SendAsync("GET", "/orders/1");
        Assert.Equal(200, before.Status);
        Assert.Null(before.Header("Connection"));

        // The connection now sits idle in the proxy's pool, as nginx keeps it.
        var stopping = app.StopAsync();
        await WaitUntilDrainingAsync(app);

        var during = await proxy.SendAsync("POST", "/orders/2");
        Assert.Equal(200, during.Status);
        Assert.Equal("close", during.Header("Connection"));
        // Kestrel closes it after the answer; the drain, with no connection left, lets the stop go on.
        Assert.True(await proxy.IsClosedByServerAsync());
        proxy.Dispose();
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, app.Services.GetRequiredService<ConnectionDrain>().OpenConnections);
    }

    [Fact]
    public async Task While_draining_a_new_connection_is_served_readiness_is_503_and_liveness_stays_200()
    {
        await using var app = await TestApp.StartAsync(s_longDrain, withManagementPort: false);
        app.Public.Dispose();
        using var held = await RawConnection.OpenAsync(app.PublicPort);
        Assert.Equal(200, (await held.SendAsync("GET", "/health/ready")).Status);

        var stopping = app.StopAsync();
        await WaitUntilDrainingAsync(app);

        using (var probe = await RawConnection.OpenAsync(app.PublicPort))
        {
            var ready = await probe.SendAsync("GET", "/health/ready");
            Assert.Equal(503, ready.Status);
            Assert.Equal("Unhealthy", ready.Body);
            Assert.Equal("close", ready.Header("Connection"));
        }

        using (var probe = await RawConnection.OpenAsync(app.PublicPort))
        {
            Assert.Equal(200, (await probe.SendAsync("GET", "/health/live")).Status);
        }

        // The held connection is still open, so the drain still holds Kestrel back: it keeps answering.
        Assert.False(stopping.IsCompleted);
        Assert.Equal(200, (await held.SendAsync("GET", "/orders/3")).Status);
        held.Dispose();
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_drain_ends_the_readiness_cache_window_so_the_first_probe_after_SIGTERM_reads_503()
    {
        // A window longer than the test: only the drain can end it.
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?>(s_longDrain) { ["HealthChecks:CacheDuration"] = "00:10:00" }, withManagementPort: false);
        app.Public.Dispose();
        using var held = await RawConnection.OpenAsync(app.PublicPort);
        Assert.Equal(200, (await held.SendAsync("GET", "/health/ready")).Status);

        var stopping = app.StopAsync();
        await WaitUntilDrainingAsync(app);
        var ready = await held.SendAsync("GET", "/health/ready");
        Assert.Equal(503, ready.Status);
        Assert.Equal("Unhealthy", ready.Body);

        held.Dispose();
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_connection_accepted_while_draining_is_answered_although_its_request_comes_once_no_more_are_accepted()
    {
        await using var app = await TestApp.StartAsync(
            new() { ["Shutdown:DrainDelay"] = "00:00:01", ["Shutdown:Timeout"] = "00:00:30" },
            withManagementPort: false,
            map: app => app.MapPost("/orders/{id:int}", (int id) => id));
        app.Public.Dispose();
        // Held idle throughout, as a proxy keeps a connection: the drain runs its whole delay.
        using var held = await RawConnection.OpenAsync(app.PublicPort);
        Assert.Equal(200, (await held.SendAsync("GET", "/health/live")).Status);

        var stopping = app.StopAsync();
        await WaitUntilDrainingAsync(app);
        // A proxy that connects as the drain ends writes its request an instant later.
        using var late = await RawConnection.OpenAsync(app.PublicPort);
        await WaitUntilRefusedAsync(app.PublicPort);

        var answer = await late.SendAsync("POST", "/orders/4");
        Assert.Equal(200, answer.Status);
        Assert.Equal("4", answer.Body);
        Assert.Equal("close", answer.Header("Connection"));
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Theory]
    [InlineData("00:00:30", "00:00:25")]
    [InlineData("-00:00:01", "00:00:25")]
    public async Task A_drain_that_would_not_fit_in_the_shutdown_timeout_is_refused_at_start(string drainDelay, string timeout)
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartAsync(
            new() { ["Shutdown:DrainDelay"] = drainDelay, ["Shutdown:Timeout"] = timeout }, withManagementPort: false));
        Assert.Contains("DrainDelay", refused.Message, StringComparison.Ordinal);
    }

    private static async Task WaitUntilDrainingAsync(TestApp app)
    {
        var drain = app.Services.GetRequiredService<ConnectionDrain>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!drain.IsDraining)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), timeout.Token);
        }
    }

    /// <summary>Until a new connection to <paramref name="port"/> is refused: the service accepts no more.</summary>
    private static async Task WaitUntilRefusedAsync(int port)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            }
            catch (SocketException refused) when (refused.SocketErrorCode == SocketError.ConnectionRefused)
            {
                return;
            }
            catch (SocketException reset) when (reset.SocketErrorCode == SocketError.ConnectionReset)
            {
                // Queued by the kernel as the listening socket closed, and reset with it: never accepted. Ask again.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), timeout.Token);
        }
    }

    /// <summary>One HTTP/1.1 connection written by hand, as a proxy keeps it: requests one after another, kept alive.</summary>
    private sealed class RawConnection : IDisposable
    {
        private readonly TcpClient client;
        private readonly NetworkStream stream;
        private readonly StreamReader reader;

        private RawConnection(TcpClient client)
        {
            this.client = client;
            stream = client.GetStream();
            reader = new StreamReader(stream, Encoding.ASCII, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        }

        public static async Task<RawConnection> OpenAsync(int port)
        {
            var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return new RawConnection(client);
        }

        public async Task<RawResponse> SendAsync(string method, string path)
        {
            var request = $"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
            var statusLine = await reader.ReadLineAsync() ?? throw new IOException("The server closed the connection without answering.");
            var status = int.Parse(statusLine.Split(' ')[1], CultureInfo.InvariantCulture);
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            while (await reader.ReadLineAsync() is { Length: > 0 } line)
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                headers[line[..colon]] = line[(colon + 1)..].Trim();
            }

            return new RawResponse(status, headers, await ReadBodyAsync(headers));
        }

        private async Task<string> ReadBodyAsync(Dictionary<string, string> headers)
        {
            if (headers.TryGetValue("Content-Length", out var length))
            {
                return await ReadCharsAsync(int.Parse(length, CultureInfo.InvariantCulture));
            }

            // Chunked: each chunk's size in hex on a line of its own, then the chunk and CRLF; a zero size ends it.
            var body = new StringBuilder();
            while (int.Parse((await reader.ReadLineAsync())!, NumberStyles.HexNumber, CultureInfo.InvariantCulture) is var size and > 0)
            {
                body.Append(await ReadCharsAsync(size));
                await reader.ReadLineAsync();
            }

            await reader.ReadLineAsync();
            return body.ToString();
        }

        private async Task<string> ReadCharsAsync(int count)
        {
            var chars = new char[count];
            await reader.ReadBlockAsync(chars);
            return new string(chars);
        }

        /// <summary>True when the server closed its end: the next read sees the end of the stream.</summary>
        public async Task<bool> IsClosedByServerAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            return await stream.ReadAsync(new byte[1], timeout.Token) == 0;
        }

        public void Dispose()
        {
            reader.Dispose();
            stream.Dispose();
            client.Dispose();
        }
    }

    private sealed record RawResponse(int Status, Dictionary<string, string> Headers, string Body)
    {
        public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
    }
}
