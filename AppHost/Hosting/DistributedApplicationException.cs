namespace ReadinessAspire.Hosting;

/// <summary>A problem with the model or the machine, told in one line that says what to do.</summary>
public sealed class DistributedApplicationException(string message) : Exception(message);
