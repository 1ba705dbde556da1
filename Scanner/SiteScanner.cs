using Scanner.Checks;
using Scanner.Grading;
using Scanner.Observatory;

namespace Scanner;

/// <summary>Runs every check on a target and grades it.</summary>
public sealed class SiteScanner(ISiteClient client, TimeProvider time)
{
    /// <summary>
    /// Retrieves the site as Observatory does and grades it with Observatory's rubric, probes TLS (https targets),
    /// sends the extra requests of <see cref="SiteProbes"/>, then grades for the profile and the checklist.
    /// </summary>
    /// <exception cref="TargetRefusedException">The target is not allowed.</exception>
    /// <exception cref="ScanFailedException">The scan could not grade the target.</exception>
    public async Task<ScanReport> ScanAsync(ScanTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var startedAt = time.GetUtcNow();
        var started = time.GetTimestamp();

        SiteResponses responses;
        try
        {
            responses = await client.RetrieveAsync(target, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException
            || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new ScanFailedException($"Could not retrieve {target.Url}: {exception.Message}", exception);
        }

        if (responses.Auto is not { } page)
        {
            throw new ScanFailedException($"Neither http nor https answered for {target.Url}.");
        }

        var observatory = ObservatoryRubric.Analyze(responses);
        // An http:// target that answers over HTTPS too (its redirect, or Observatory's own HTTPS retrieval) is served
        // over TLS all the same: its certificate decides HTTPS as much as an https:// target's does.
        var (tls, tlsError) = target.Url.Scheme == Uri.UriSchemeHttps || responses.Https is not null
            ? await ProbeTlsAsync(target, cancellationToken)
            : (null, null);

        var findings = new List<Finding>();
        findings.AddRange(TransportChecks.Check(responses));
        if (tls is not null)
        {
            findings.AddRange(TlsChecks.Check(tls, time.GetUtcNow()));
        }
        else if (tlsError is not null)
        {
            findings.AddRange(TlsChecks.Definitions.Select(check => check.Unchecked(tlsError)));
        }

        findings.AddRange(HeaderChecks.Check(responses));
        findings.AddRange(CookieChecks.Check(responses.SetCookies));
        findings.Add(PageChecks.SubresourceIntegrity(PageChecks.Assets(responses.PageText, page.Url), page.Url));
        findings.AddRange(await SiteProbes.RunAsync(client, page.Url, responses.PageText, time.GetUtcNow(), cancellationToken));

        var profiled = ProfileGrader.ApplyProfile(target.Profile, findings);
        return new ScanReport(
            target,
            startedAt,
            time.GetElapsedTime(started),
            observatory,
            ProfileGrader.Grade(target.Profile, observatory),
            ChecklistGrader.Grade(profiled),
            profiled,
            tls);
    }

    /// <summary>The probe, or why it broke down (a handshake that fails is in the report; this is the probe itself failing).</summary>
    private async Task<(TlsReport? Report, string? Error)> ProbeTlsAsync(ScanTarget target, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.ProbeTlsAsync(target.Url.IdnHost, target.ResolvedHttpsPort, cancellationToken), null);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException
            || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return (null, $"TLS probe of {target.Url.IdnHost}:{target.ResolvedHttpsPort}: {exception.GetType().Name}: {exception.Message}");
        }
    }
}
