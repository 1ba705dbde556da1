using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace ServiceDefaults.Telemetry;

/// <summary>
/// Which service and which replica of it a log line or a metric comes from, read from the same OpenTelemetry
/// variables the SDK reads (<c>OTEL_SERVICE_NAME</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>), so logs and traces agree.
/// </summary>
internal sealed record ServiceIdentity(string Name, string InstanceId)
{
    private const string ServiceNameAttribute = "service.name";
    private const string InstanceIdAttribute = "service.instance.id";

    public static ServiceIdentity From(IConfiguration configuration, IHostEnvironment environment)
    {
        var attributes = ParseResourceAttributes(configuration["OTEL_RESOURCE_ATTRIBUTES"]);

        var name = configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } configured ? configured
            : attributes.GetValueOrDefault(ServiceNameAttribute) ?? environment.ApplicationName;
        // Without an orchestrator-assigned id the host name is the best stable id (a container's is unique).
        var instanceId = attributes.GetValueOrDefault(InstanceIdAttribute) ?? Environment.MachineName;

        return new ServiceIdentity(name, instanceId);
    }

    /// <summary>The W3C-baggage-like <c>key=value,key=value</c> list of the OpenTelemetry specification.</summary>
    private static Dictionary<string, string> ParseResourceAttributes(string? attributes)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in (attributes ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var separator = pair.IndexOf('=', StringComparison.Ordinal);
            if (separator > 0 && separator < pair.Length - 1)
            {
                result[pair[..separator].Trim()] = Uri.UnescapeDataString(pair[(separator + 1)..].Trim());
            }
        }

        return result;
    }
}
