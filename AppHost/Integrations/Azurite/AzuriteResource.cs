namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// Azure Blob storage for the local run: npm's Azurite (<c>azurite-blob</c>), run by DCP as a local process with one
/// storage account of its own. The connection string has the shape of a real storage account's, so a project reads
/// <c>ConnectionStrings__{name}</c> the same way locally and deployed.
/// </summary>
public sealed class AzuriteResource(string name, string command, string workingDirectory, string accountName, ParameterResource accountKey)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "blob";

    /// <summary>The storage account Azurite serves; the only one, so the well-known development account is refused.</summary>
    public string AccountName { get; } = accountName;

    /// <summary>The account's base64 key, generated once per data directory.</summary>
    public ParameterResource AccountKeyParameter { get; } = accountKey;

    /// <summary>The blob service's own loopback endpoint.</summary>
    public EndpointReference PrimaryEndpoint => field ??= new(this, PrimaryEndpointName);

    /// <inheritdoc />
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKeyParameter};BlobEndpoint=http://127.0.0.1:{PrimaryEndpoint.Property(EndpointProperty.Port)}/{AccountName};");
}
