using Scanner.Checks;

namespace Scanner.Tests.Checks;

/// <summary>The probes' plumbing with a client that answers from a table: concurrency bound and failures as Info findings.</summary>
public sealed class SiteProbesTests
{
    private sealed class TableClient(Func<HttpMethod, Uri, IReadOnlyDictionary<string, string>?, ObservedResponse> answer) : ISiteClient
    {
        private int inFlight;

        public int MaxInFlight { get; private set; }

        public Task<SiteResponses> RetrieveAsync(ScanTarget target, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<TlsReport> ProbeTlsAsync(string host, int port, CancellationToken cancellationToken) => throw new NotSupportedException();

        public async Task<ObservedResponse> SendAsync(HttpMethod method, Uri url, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref inFlight);
            lock (this)
            {
                MaxInFlight = Math.Max(MaxInFlight, now);
            }

            try
            {
                await Task.Delay(10, cancellationToken);
                return answer(method, url, headers);
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }
    }

    private static readonly DateTimeOffset Now = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Every_probe_yields_one_finding_with_at_most_four_requests_in_flight()
    {
        var client = new TableClient((_, url, _) => Build.Response(404, "Not Found", url));
        var findings = await SiteProbes.RunAsync(client, Build.Page, null, Now, CancellationToken.None);
        Assert.Equal(11, findings.Count);
        Assert.Equal(findings.Count, findings.Select(finding => finding.Id).Distinct().Count());
        Assert.InRange(client.MaxInFlight, 1, SiteProbes.MaxConcurrentRequests);
        Assert.True(findings.Single(finding => finding.Id == "exposed-git").Passed);
    }

    [Fact]
    public async Task A_failed_request_is_an_info_finding_not_a_crash()
    {
        var client = new TableClient((_, url, _) => url.AbsolutePath == ExposureChecks.DotEnvPath
            ? throw new HttpRequestException("connection reset")
            : Build.Response(404, "Not Found", url));
        var findings = await SiteProbes.RunAsync(client, Build.Page, null, Now, CancellationToken.None);
        var env = findings.Single(finding => finding.Id == "exposed-env");
        Assert.Equal(Severity.Info, env.Severity);
        Assert.False(env.Passed);
        Assert.StartsWith("could not be checked", env.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_foreign_host_probe_sends_the_foreign_host_and_a_closed_connection_refuses_it()
    {
        var client = new TableClient((_, url, headers) => headers is not null && headers.TryGetValue("Host", out var host) && host == ExposureChecks.ForeignHost
            ? throw new HttpRequestException("The response ended prematurely.")
            : Build.Response(404, "Not Found", url));
        var findings = await SiteProbes.RunAsync(client, Build.Page, null, Now, CancellationToken.None);
        Assert.True(findings.Single(finding => finding.Id == "foreign-host-header").Passed);
    }

    [Fact]
    public void Directories_probed_are_the_assets_own_then_common_ones_six_at_most()
    {
        var assets = PageChecks.Assets("""<script src="/js/app.js"></script><link rel="stylesheet" href="/assets/site.css">""", Build.Page);
        var directories = SiteProbes.DirectoriesToProbe(assets, Build.Page).Select(url => url.AbsolutePath).ToList();
        Assert.Equal(["/js/", "/assets/", "/static/", "/images/", "/uploads/", "/files/"], directories);
    }
}
