namespace Scanner.Checks;

/// <summary>
/// The checks that need requests of their own, sent through <see cref="ISiteClient.SendAsync"/> a few at a time.
/// A request that fails yields an Info finding saying the check could not be made; only cancellation stops the scan.
/// </summary>
public sealed class SiteProbes : IDisposable
{
    /// <summary>Few enough parallel requests that a small site or its rate limiter is not bothered.</summary>
    public const int MaxConcurrentRequests = 4;

    private const int MaxDirectoriesProbed = 6;

    private readonly ISiteClient client;
    private readonly SemaphoreSlim slots;
    private readonly CancellationToken cancellationToken;

    private SiteProbes(ISiteClient client, int maxConcurrency, CancellationToken cancellationToken)
    {
        this.client = client;
        slots = new SemaphoreSlim(maxConcurrency);
        this.cancellationToken = cancellationToken;
    }

    /// <summary>Runs every probe against the origin of <paramref name="pageUrl"/> (the page's final URL).</summary>
    public static async Task<IReadOnlyList<Finding>> RunAsync(
        ISiteClient client, Uri pageUrl, string? pageText, DateTimeOffset now, CancellationToken cancellationToken,
        int maxConcurrency = MaxConcurrentRequests)
    {
        using var probes = new SiteProbes(client, maxConcurrency, cancellationToken);
        var assets = PageChecks.Assets(pageText, pageUrl);
        Uri At(string path) => new(pageUrl, path);
        var tasks = new List<Task<Finding>>
        {
            probes.One(FindingCatalogue.ExposedGit, HttpMethod.Get, At(ExposureChecks.GitHeadPath), null, ExposureChecks.GitHead),
            probes.One(FindingCatalogue.ExposedEnv, HttpMethod.Get, At(ExposureChecks.DotEnvPath), null, ExposureChecks.DotEnv),
            probes.One(FindingCatalogue.ExposedAppSettings, HttpMethod.Get, At(ExposureChecks.AppSettingsPath), null, ExposureChecks.AppSettings),
            probes.One(FindingCatalogue.DebugErrorPage, HttpMethod.Get, At(ExposureChecks.NotFoundProbePath), null,
                response => ExposureChecks.DebugErrorPage(response, pageText)),
            probes.One(FindingCatalogue.TraceMethod, HttpMethod.Trace, At("/"), null, ExposureChecks.Trace),
            probes.One(FindingCatalogue.SecurityTxt, HttpMethod.Get, At(ExposureChecks.SecurityTxtPath), null,
                response => ExposureChecks.SecurityTxt(response, now)),
            probes.One(FindingCatalogue.CorsReflectedOrigin, HttpMethod.Get, pageUrl,
                new Dictionary<string, string> { ["Origin"] = HeaderChecks.ProbeOrigin }, HeaderChecks.CorsReflectedOrigin),
            probes.One(FindingCatalogue.Compression, HttpMethod.Get, pageUrl,
                new Dictionary<string, string> { ["Accept-Encoding"] = "gzip, br" }, CachingChecks.Compression),
            probes.ForeignHostAsync(pageUrl),
            probes.Many(FindingCatalogue.DirectoryListing, DirectoriesToProbe(assets, pageUrl), ExposureChecks.DirectoryListing),
            probes.Many(FindingCatalogue.AssetCaching, CachingChecks.FingerprintedAssets(assets, pageUrl), CachingChecks.AssetCaching),
        };
        return await Task.WhenAll(tasks);
    }

    public void Dispose() => slots.Dispose();

    /// <summary>The directories the page's same-origin assets live in, then the usual suspects, a few in all.</summary>
    public static IReadOnlyList<Uri> DirectoriesToProbe(IReadOnlyList<PageAsset> assets, Uri pageUrl)
    {
        var own = assets.Where(asset => PageChecks.SameOrigin(asset.Url, pageUrl))
            .Select(asset => asset.Url.AbsolutePath[..(asset.Url.AbsolutePath.LastIndexOf('/') + 1)])
            .Where(directory => directory != "/");
        return [.. own.Concat(ExposureChecks.CommonDirectories).Distinct(StringComparer.Ordinal).Take(MaxDirectoriesProbed)
            .Select(directory => new Uri(pageUrl, directory))];
    }

    private async Task<Finding> One(
        FindingDefinition check, HttpMethod method, Uri url, IReadOnlyDictionary<string, string>? headers, Func<ObservedResponse, Finding> evaluate)
    {
        var (response, error) = await SendAsync(method, url, headers);
        return response is null ? check.Unchecked($"{method} {url.AbsolutePath}: {error}") : evaluate(response);
    }

    /// <summary>Judges the answers that came; unchecked only when none did.</summary>
    private async Task<Finding> Many(FindingDefinition check, IReadOnlyList<Uri> urls, Func<IReadOnlyList<ObservedResponse>, Finding> evaluate)
    {
        var outcomes = await Task.WhenAll(urls.Select(url => SendAsync(HttpMethod.Get, url, null)));
        var answered = outcomes.Select(outcome => outcome.Response).OfType<ObservedResponse>().ToList();
        return urls.Count > 0 && answered.Count == 0
            ? check.Unchecked(string.Join("; ", outcomes.Select(outcome => outcome.Error)))
            : evaluate(answered);
    }

    /// <summary>A failed exchange here is itself the answer: a server that closes on an unknown Host (nginx 444) refuses it.</summary>
    private async Task<Finding> ForeignHostAsync(Uri pageUrl)
    {
        var headers = new Dictionary<string, string> { ["Host"] = ExposureChecks.ForeignHost };
        var (response, error) = await SendAsync(HttpMethod.Get, new Uri(pageUrl, "/"), headers);
        return response is null && error is not null && error.StartsWith(nameof(HttpRequestException), StringComparison.Ordinal)
            ? ExposureChecks.ForeignHostHeader(null)
            : response is null ? FindingCatalogue.ForeignHost.Unchecked(error ?? "no response") : ExposureChecks.ForeignHostHeader(response);
    }

    private async Task<(ObservedResponse? Response, string? Error)> SendAsync(HttpMethod method, Uri url, IReadOnlyDictionary<string, string>? headers)
    {
        await slots.WaitAsync(cancellationToken);
        try
        {
            return (await client.SendAsync(method, url, headers, cancellationToken), null);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A timeout (TaskCanceledException without our cancellation), a refused connection or a refused URL: not a finding.
            return (null, $"{exception.GetType().Name}: {exception.Message}");
        }
        finally
        {
            slots.Release();
        }
    }
}
