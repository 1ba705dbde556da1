using System.Diagnostics.Metrics;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace ServiceDefaults.Security;

/// <summary>
/// Failed reads and writes of the data-protection key ring. A ring that cannot be read signs everyone out and refuses
/// every antiforgery token, so the failures are counted (<c>readiness_data_protection_key_ring_failures_total</c>) and
/// alerted on (Monitoring/alert-rules.yml, DataProtectionKeyRingFailing).
/// </summary>
public sealed class KeyRingMetrics : IDisposable
{
    public const string MeterName = "ReadinessAspire.DataProtection";

    private readonly Meter meter = new(MeterName);
    private readonly Counter<long> failures;

    public KeyRingMetrics() =>
        failures = meter.CreateCounter<long>("readiness.data_protection.key_ring.failures", description: "Failed reads and writes of the data-protection key ring.");

    internal void Failed(string operation, Exception exception) => failures.Add(1,
        new KeyValuePair<string, object?>("operation", operation),
        new KeyValuePair<string, object?>("error.type", exception.GetType().Name));

    public void Dispose() => meter.Dispose();
}

/// <summary>Passes every call to the service's own key store and counts the ones that throw.</summary>
internal sealed class CountingXmlRepository(IXmlRepository inner, KeyRingMetrics metrics) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        try
        {
            return inner.GetAllElements();
        }
        catch (Exception exception)
        {
            metrics.Failed("read", exception);
            throw;
        }
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        try
        {
            inner.StoreElement(element, friendlyName);
        }
        catch (Exception exception)
        {
            metrics.Failed("write", exception);
            throw;
        }
    }
}
