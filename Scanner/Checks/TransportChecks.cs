using System.Globalization;

namespace Scanner.Checks;

/// <summary>HTTP to HTTPS and Strict-Transport-Security (SEC-04).</summary>
public static class TransportChecks
{
    public const int OneYearSeconds = 31_536_000;

    public static IEnumerable<Finding> Check(SiteResponses responses)
    {
        yield return HttpsRedirect(responses);
        foreach (var finding in Hsts(responses.Https))
        {
            yield return finding;
        }
    }

    /// <summary>The first hop of the plain-HTTP session must go to https:// on the same host (then HSTS applies to that host).</summary>
    public static Finding HttpsRedirect(SiteResponses responses)
    {
        var check = FindingCatalogue.HttpsRedirect;
        if (responses.Http is null || responses.HttpRedirects.Count == 0)
        {
            return check.Pass("plain HTTP did not answer, so nothing is served unencrypted");
        }

        var first = responses.HttpRedirects[0];
        if (responses.HttpRedirects.Count < 2 || first.Status is < 300 or > 399)
        {
            return check.Fail($"{first.Url} answered {first.Status} without redirecting");
        }

        var next = responses.HttpRedirects[1];
        var evidence = $"{first.Url} → {first.Status} → {next.Url}";
        var sameHost = string.Equals(next.Url.Host, first.Url.Host, StringComparison.OrdinalIgnoreCase);
        return check.Check(next.Url.Scheme == Uri.UriSchemeHttps && sameHost, evidence);
    }

    public static IEnumerable<Finding> Hsts(ObservedResponse? https)
    {
        var header = https?.Headers.Get("Strict-Transport-Security");
        if (https is null || header is null)
        {
            // Browsers ignore HSTS sent over plain HTTP, so only the HTTPS response counts.
            var missing = https is null ? "no HTTPS response" : "no Strict-Transport-Security header";
            yield return FindingCatalogue.HstsMaxAge.Fail(missing);
            yield return FindingCatalogue.HstsIncludeSubDomains.Fail(missing);
            yield return FindingCatalogue.HstsPreload.Fail(missing);
            yield break;
        }

        if (!https.Verified)
        {
            // Browsers ignore HSTS from a connection whose certificate they did not accept (RFC 6797, section 8.1).
            var ignored = $"Strict-Transport-Security: {header}, but the HTTPS certificate did not verify, so browsers ignore it";
            yield return FindingCatalogue.HstsMaxAge.Fail(ignored);
            yield return FindingCatalogue.HstsIncludeSubDomains.Fail(ignored);
            yield return FindingCatalogue.HstsPreload.Fail(ignored);
            yield break;
        }

        var evidence = $"Strict-Transport-Security: {header}";
        var directives = header.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var maxAge = directives
            .Where(directive => directive.StartsWith("max-age", StringComparison.OrdinalIgnoreCase))
            .Select(directive => directive.Split('=', 2) is [_, var value]
                && long.TryParse(value.Trim('"', ' '), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : (long?)null)
            .FirstOrDefault();
        bool Has(string name) => directives.Any(directive => directive.Equals(name, StringComparison.OrdinalIgnoreCase));

        yield return FindingCatalogue.HstsMaxAge.Check(maxAge >= OneYearSeconds, evidence);
        yield return FindingCatalogue.HstsIncludeSubDomains.Check(Has("includeSubDomains"), evidence);
        yield return FindingCatalogue.HstsPreload.Check(Has("preload"), evidence);
    }
}
