using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Scanner.Net;

/// <summary>A host and port whose every resolved address passed <see cref="TargetPolicy"/>: connect only to these.</summary>
/// <param name="Host">The host as requested (a name or an address literal, without brackets).</param>
/// <param name="Port">The port.</param>
/// <param name="Addresses">The addresses checked, in the resolver's order.</param>
public sealed record CheckedEndpoint(string Host, int Port, IReadOnlyList<IPAddress> Addresses);

/// <summary>
/// What the scanner may reach: http and https only, allowed ports only, and no address that points inside a network
/// (loopback, private, CGNAT, link-local and metadata, unique-local, multicast, reserved, and IPv6 forms embedding those)
/// unless <see cref="ScannerOptions.AllowedTargets"/> lists it.
/// </summary>
public sealed class TargetPolicy
{
    private static readonly ForbiddenRange[] ForbiddenV4 =
    [
        new("0.0.0.0/8", "an unspecified (\"this network\") address"),
        new("10.0.0.0/8", "a private address"),
        new("100.64.0.0/10", "a carrier-grade NAT address"),
        new("127.0.0.0/8", "a loopback address"),
        new("169.254.0.0/16", "a link-local address"),
        new("172.16.0.0/12", "a private address"),
        new("192.0.0.0/24", "a reserved address (IETF protocol assignments)"),
        new("192.0.2.0/24", "a reserved address (documentation)"),
        new("192.88.99.0/24", "a reserved address (6to4 relay anycast)"),
        new("192.168.0.0/16", "a private address"),
        new("198.18.0.0/15", "a reserved address (benchmarking)"),
        new("198.51.100.0/24", "a reserved address (documentation)"),
        new("203.0.113.0/24", "a reserved address (documentation)"),
        new("224.0.0.0/4", "a multicast address"),
        new("255.255.255.255/32", "the broadcast address"),
        new("240.0.0.0/4", "a reserved address"),
    ];

    private static readonly ForbiddenRange[] ForbiddenV6 =
    [
        new("::/128", "the unspecified address"),
        new("::1/128", "a loopback address"),
        new("100::/64", "a reserved address (discard-only)"),
        new("64:ff9b:1::/48", "a reserved address (local-use NAT64)"),
        new("2001:db8::/32", "a reserved address (documentation)"),
        new("2001::/23", "a reserved address (IETF protocol assignments, Teredo)"),
        new("fc00::/7", "a unique-local address"),
        new("fe80::/10", "a link-local address"),
        new("fec0::/10", "a reserved address (deprecated site-local)"),
        new("ff00::/8", "a multicast address"),
    ];

    private static readonly IPNetwork GlobalUnicastV6 = IPNetwork.Parse("2000::/3");
    private static readonly IPNetwork Nat64V6 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFourV6 = IPNetwork.Parse("2002::/16");
    private static readonly IPNetwork CompatibleV6 = IPNetwork.Parse("::/96");

    // The well-known instance metadata endpoints (AWS, GCP, Azure and AWS's IPv6 one) get a name of their own in refusals.
    private static readonly IPAddress[] MetadataAddresses = [IPAddress.Parse("169.254.169.254"), IPAddress.Parse("fd00:ec2::254")];

    private readonly IPNetwork[] allowedNetworks;
    private readonly HashSet<string> allowedHosts = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>"*" in <see cref="ScannerOptions.AllowedPorts"/>: any port, for local runs whose servers sit on random ports.</summary>
    public const string AnyPort = "*";

    private readonly HashSet<int> allowedPorts = [];
    private readonly bool anyPort;
    private readonly IHostResolver resolver;

    public TargetPolicy(ScannerOptions options, IHostResolver? resolver = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.resolver = resolver ?? new DnsHostResolver();

        var networks = new List<IPNetwork>();
        foreach (var entry in Split(options.AllowedTargets))
        {
            if (IPNetwork.TryParse(entry, out var network))
            {
                networks.Add(network);
            }
            else if (IPAddress.TryParse(entry.Trim('[', ']'), out var address))
            {
                networks.Add(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                allowedHosts.Add(NormalizeHost(entry));
            }
        }

        allowedNetworks = [.. networks];

        foreach (var entry in Split(options.AllowedPorts))
        {
            if (entry == AnyPort)
            {
                anyPort = true;
                continue;
            }

            if (!int.TryParse(entry, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                throw new ArgumentException($"Scanner:AllowedPorts has '{entry}', which is not a port.", nameof(options));
            }

            allowedPorts.Add(port);
        }
    }

    /// <summary>Refuses a URL whose scheme or port is not allowed; the host is checked by <see cref="ResolveAsync(Uri, CancellationToken)"/>.</summary>
    /// <exception cref="TargetRefusedException">The scheme or port is not allowed.</exception>
    public void CheckSchemeAndPort(Uri url)
    {
        CheckScheme(url);
        CheckPort(url.Port);
    }

    /// <exception cref="TargetRefusedException">The port is not allowed.</exception>
    public void CheckPort(int port)
    {
        if (!anyPort && !allowedPorts.Contains(port))
        {
            throw new TargetRefusedException(
                $"port {port} is not an allowed port (allowed: {string.Join(", ", allowedPorts.Order())})");
        }
    }

    /// <summary>Checks the URL's scheme, host and port, resolving a host name once and checking every address.</summary>
    /// <exception cref="TargetRefusedException">Any part is not allowed.</exception>
    public Task<CheckedEndpoint> ResolveAsync(Uri url, CancellationToken cancellationToken)
    {
        CheckScheme(url);
        return ResolveCheckedAsync(url.IdnHost, url.Port, cancellationToken);
    }

    /// <summary>Checks the host and port, resolving a host name once and checking every address.</summary>
    /// <exception cref="TargetRefusedException">Any part is not allowed.</exception>
    public Task<CheckedEndpoint> ResolveAsync(string host, int port, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        return ResolveCheckedAsync(host, port, cancellationToken);
    }

    /// <summary>Why <paramref name="address"/> may not be reached, or null when it may (allow-list included).</summary>
    public string? Refusal(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (IsAllowListed(address))
        {
            return null;
        }

        return ForbiddenReason(address);
    }

    /// <summary>
    /// Why <paramref name="address"/> is not a public unicast address, as a sentence naming the rule
    /// (e.g. "10.0.0.1 is a private address (10.0.0.0/8)"), or null when it is one; ignores the allow-list.
    /// </summary>
    public static string? ForbiddenReason(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return Predicate(address) is { } predicate ? $"{address} {predicate}" : null;
    }

    /// <summary>"is a private address (10.0.0.0/8)" and the like, or null for a public unicast address.</summary>
    private static string? Predicate(IPAddress address)
    {
        if (MetadataAddresses.Contains(address))
        {
            var range = address.AddressFamily == AddressFamily.InterNetwork ? "link-local 169.254.0.0/16" : "unique-local fc00::/7";
            return $"is a cloud instance metadata address ({range})";
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return Match(address, ForbiddenV4) is { } range ? $"is {range.Description} ({range.Network})" : null;
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return "is not an IP address";
        }

        // Forms that carry an IPv4 address inside: the IPv4 address decides.
        if (EmbeddedIPv4(address) is ({ } embedded, var form) && Predicate(embedded) is { } inner)
        {
            return $"is {form} of {embedded}, which {inner}";
        }

        if (Match(address, ForbiddenV6) is { } v6Range)
        {
            return $"is {v6Range.Description} ({v6Range.Network})";
        }

        return GlobalUnicastV6.Contains(address) || address.IsIPv4MappedToIPv6 || Nat64V6.Contains(address)
            ? null
            : "is not a global unicast address (outside 2000::/3)";
    }

    private async Task<CheckedEndpoint> ResolveCheckedAsync(string host, int port, CancellationToken cancellationToken)
    {
        var bare = host.Trim('[', ']');
        if (IPAddress.TryParse(bare, out var literal))
        {
            // An address literal is checked as it is, before the port, so a refusal names the worse problem.
            if (Refusal(literal) is { } reason)
            {
                throw new TargetRefusedException(reason);
            }

            CheckPort(port);
            return new CheckedEndpoint(bare, port, [literal]);
        }

        // A port not allowed is refused before the name is looked up.
        CheckPort(port);

        var name = NormalizeHost(bare);
        if (name.Length == 0 || Uri.CheckHostName(name) != UriHostNameType.Dns)
        {
            throw new TargetRefusedException($"'{host}' is not a host name");
        }

        var addresses = await resolver.ResolveAsync(name, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0)
        {
            throw new TargetRefusedException($"{name} does not resolve to any address");
        }

        if (!allowedHosts.Contains(name))
        {
            // One forbidden address refuses the name: a resolver may hand out the others next time.
            foreach (var address in addresses)
            {
                if (!IsAllowListed(address) && Predicate(address) is { } predicate)
                {
                    // Not the address itself: whoever may queue a scan would learn the deployment's internal addresses.
                    throw new TargetRefusedException($"{name} resolves to an address the scanner may not reach: it {predicate}");
                }
            }
        }

        return new CheckedEndpoint(name, port, addresses);
    }

    private static void CheckScheme(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            var scheme = url.IsAbsoluteUri ? url.Scheme : "(relative URL)";
            throw new TargetRefusedException($"scheme '{scheme}' is not allowed (only http and https)");
        }
    }

    private bool IsAllowListed(IPAddress address)
    {
        var candidates = address.IsIPv4MappedToIPv6 ? [address, address.MapToIPv4()] : new[] { address };
        foreach (var candidate in candidates)
        {
            foreach (var network in allowedNetworks)
            {
                if (network.Contains(candidate))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static (IPAddress? Address, string Form) EmbeddedIPv4(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return (address.MapToIPv4(), "the IPv4-mapped form");
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        if (Nat64V6.Contains(address))
        {
            return (new IPAddress(bytes[12..]), "the NAT64 form");
        }

        if (SixToFourV6.Contains(address))
        {
            return (new IPAddress(bytes[2..6]), "the 6to4 form");
        }

        // ::a.b.c.d (deprecated IPv4-compatible); :: and ::1 are themselves.
        if (CompatibleV6.Contains(address) && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.IPv6Loopback))
        {
            return (new IPAddress(bytes[12..]), "the IPv4-compatible form");
        }

        return (null, "");
    }

    private static ForbiddenRange? Match(IPAddress address, ForbiddenRange[] ranges)
    {
        foreach (var range in ranges)
        {
            if (range.Network.Contains(address))
            {
                return range;
            }
        }

        return null;
    }

    private static string NormalizeHost(string host) => host.Trim().TrimEnd('.').ToLowerInvariant();

    private static string[] Split(string list) =>
        (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private sealed record ForbiddenRange(IPNetwork Network, string Description)
    {
        public ForbiddenRange(string cidr, string description)
            : this(IPNetwork.Parse(cidr), description)
        {
        }
    }
}
