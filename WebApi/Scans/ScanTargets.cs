using Scanner;

namespace WebApi.Scans;

/// <summary>A target to queue: which service environment (if any) and where it lives.</summary>
public sealed record ScanRequestTarget(Guid? ServiceId, string Environment, string TargetUrl, ScanProfile Profile)
{
    public Scan ToScan(ScanTrigger trigger, string? requestedBy, DateTimeOffset now) => new()
    {
        ServiceId = ServiceId,
        Environment = Environment,
        TargetUrl = TargetUrl,
        Profile = Profile,
        Trigger = trigger,
        RequestedBy = requestedBy,
        Status = ScanStatus.Queued,
        QueuedAt = now,
    };
}

public static class ScanTargets
{
    /// <summary>
    /// The environment of a scan of a URL that is none of the service's environments. Such a scan is graded and listed,
    /// but says nothing about the service's environments: it leaves the review, the gauges and the badges alone. No
    /// environment may take the name.
    /// </summary>
    public const string AdHocEnvironment = "adhoc";

    /// <summary>One spelling per target, so de-duplication sees "HTTPS://Example.com:443/" and "https://example.com/" as one.</summary>
    public static string Normalize(string url) => new Uri(url, UriKind.Absolute).AbsoluteUri;
}
