namespace ServiceDefaults.Health;

internal enum HealthProbe
{
    /// <summary>The process itself: only checks tagged <c>live</c>.</summary>
    Live,

    /// <summary>Everything the service needs to take traffic: every registered check.</summary>
    Ready,
}
