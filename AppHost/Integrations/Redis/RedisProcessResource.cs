namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// Redis from Debian's packages, run by DCP as a local process from a private configuration file, so its password
/// is never on a command line. The connection string has the shape of Aspire's Redis container resource.
/// </summary>
public sealed class RedisProcessResource(string name, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, "/usr/bin/redis-server", workingDirectory), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";

    /// <summary>The password every client must AUTH with.</summary>
    public ParameterResource PasswordParameter { get; } = password;

    /// <summary>The server's own loopback endpoint.</summary>
    public EndpointReference PrimaryEndpoint => field ??= new(this, PrimaryEndpointName);

    /// <inheritdoc />
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"127.0.0.1:{PrimaryEndpoint.Property(EndpointProperty.Port)},password={PasswordParameter}");
}
