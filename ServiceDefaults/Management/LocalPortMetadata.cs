namespace ServiceDefaults.Management;

/// <summary>Endpoint metadata: the endpoint exists only for connections accepted on this local port.</summary>
internal sealed record LocalPortMetadata(int Port);
