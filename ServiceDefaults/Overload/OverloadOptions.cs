namespace ServiceDefaults.Overload;

/// <summary>
/// Bound from <c>Overload</c> (env <c>Overload__MaxConcurrentRequests</c>, ...): how much work one process takes on at
/// once before it answers 503 at once instead of letting every request slow down until clients time out.
/// </summary>
internal sealed class OverloadOptions
{
    public const string SectionName = "Overload";

    /// <summary>Requests in progress at once, health probes and scrapes not counted; 0 turns shedding off.</summary>
    public int MaxConcurrentRequests { get; set; } = 64;

    /// <summary>Requests that may wait for one of those places, oldest first; the next one is shed.</summary>
    public int QueueLimit { get; set; } = 32;

    /// <summary>A request still waiting after this is shed, so a stalled dependency cannot make the queue a timeout.</summary>
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The <c>Retry-After</c> of a shed request: places free up within milliseconds once a burst ends.</summary>
    public int RetryAfterSeconds { get; set; } = 1;
}
