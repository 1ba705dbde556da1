using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Scanner.Net;

/// <summary>
/// A TLS 1.0/1.1 ClientHello built by hand, because OpenSSL 3 will not offer those versions from the client side,
/// and the reading of the server's first record. Layout (RFC 5246 §6.2.1, §7.4.1.2; extensions RFC 6066, RFC 8422):
/// <code>
/// record:     content_type 0x16 | legacy_record_version 0x0301 | length u16
/// handshake:  msg_type 0x01 (client_hello) | length u24
/// body:       client_version u16 | random[32] | session_id u8 len = 0
///             | cipher_suites u16 len, u16 each | compression_methods u8 len = 1, 0x00 (null)
///             | extensions u16 len:
///                 server_name 0x0000 (only for a DNS name): list u16 len | name_type 0x00 | host_name u16 len, ASCII
///                 supported_groups 0x000a: list u16 len | x25519, secp256r1, secp384r1
///                 ec_point_formats 0x000b: list u8 len = 1 | uncompressed 0x00
/// </code>
/// There is no supported_versions extension, so client_version is the highest version offered.
/// </summary>
public static class LegacyClientHello
{
    public const ushort Tls10 = 0x0301;
    public const ushort Tls11 = 0x0302;

    public const byte HandshakeContentType = 0x16;
    public const byte AlertContentType = 0x15;
    public const byte ClientHelloType = 0x01;
    public const byte ServerHelloType = 0x02;

    /// <summary>The bytes of a record header, a handshake header and a ServerHello's server_version.</summary>
    public const int ServerHelloPrefixLength = 5 + 4 + 2;

    /// <summary>Classic suites every TLS 1.0 server had: ECDHE and plain RSA with AES-CBC, and 3DES.</summary>
    public static ReadOnlySpan<ushort> CipherSuites =>
    [
        0xc013, // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
        0xc014, // TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA
        0xc009, // TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA
        0xc00a, // TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA
        0x002f, // TLS_RSA_WITH_AES_128_CBC_SHA
        0x0035, // TLS_RSA_WITH_AES_256_CBC_SHA
        0x000a, // TLS_RSA_WITH_3DES_EDE_CBC_SHA
    ];

    public static ReadOnlySpan<ushort> SupportedGroups => [0x001d, 0x0017, 0x0018];

    private const int RandomLength = 32;
    private const ushort ServerNameExtension = 0x0000;
    private const ushort SupportedGroupsExtension = 0x000a;
    private const ushort EcPointFormatsExtension = 0x000b;

    /// <summary>The SNI name to send for <paramref name="host"/>: none for an address literal (RFC 6066 §3).</summary>
    public static string? ServerName(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var bare = host.Trim('[', ']');
        return IPAddress.TryParse(bare, out _) ? null : bare;
    }

    /// <summary>The size of the whole record for <paramref name="serverName"/>.</summary>
    public static int GetLength(string? serverName) => 5 + 4 + BodyLength(serverName);

    /// <summary>Writes the record into <paramref name="destination"/> and returns its length.</summary>
    /// <param name="destination">At least <see cref="GetLength"/> bytes.</param>
    /// <param name="version">The client_version: <see cref="Tls10"/> or <see cref="Tls11"/>.</param>
    /// <param name="serverName">The SNI host name (ASCII), or null to send none.</param>
    /// <param name="random">The 32 random bytes.</param>
    public static int Write(Span<byte> destination, ushort version, string? serverName, ReadOnlySpan<byte> random)
    {
        if (random.Length != RandomLength)
        {
            throw new ArgumentException($"The random is {RandomLength} bytes.", nameof(random));
        }

        var bodyLength = BodyLength(serverName);
        var length = 5 + 4 + bodyLength;
        if (destination.Length < length)
        {
            throw new ArgumentException($"The ClientHello needs {length} bytes.", nameof(destination));
        }

        var writer = new Writer(destination);
        writer.Byte(HandshakeContentType);
        writer.UInt16(Tls10); // servers of the era expect 0x0301 in the record layer whatever the hello offers
        writer.UInt16((ushort)(4 + bodyLength));

        writer.Byte(ClientHelloType);
        writer.UInt24(bodyLength);

        writer.UInt16(version);
        writer.Bytes(random);
        writer.Byte(0); // no session id

        writer.UInt16((ushort)(CipherSuites.Length * 2));
        foreach (var suite in CipherSuites)
        {
            writer.UInt16(suite);
        }

        writer.Byte(1);
        writer.Byte(0); // null compression only

        writer.UInt16((ushort)ExtensionsLength(serverName));
        if (serverName is not null)
        {
            var nameLength = serverName.Length;
            writer.UInt16(ServerNameExtension);
            writer.UInt16((ushort)(2 + 1 + 2 + nameLength));
            writer.UInt16((ushort)(1 + 2 + nameLength));
            writer.Byte(0); // host_name
            writer.UInt16((ushort)nameLength);
            writer.Ascii(serverName);
        }

        writer.UInt16(SupportedGroupsExtension);
        writer.UInt16((ushort)(2 + SupportedGroups.Length * 2));
        writer.UInt16((ushort)(SupportedGroups.Length * 2));
        foreach (var group in SupportedGroups)
        {
            writer.UInt16(group);
        }

        writer.UInt16(EcPointFormatsExtension);
        writer.UInt16(2);
        writer.Byte(1);
        writer.Byte(0); // uncompressed

        return writer.Position;
    }

    /// <summary>
    /// Whether the first bytes the server sent (at least <see cref="ServerHelloPrefixLength"/>, or fewer when it closed)
    /// are a handshake record opening with a ServerHello for exactly <paramref name="version"/>.
    /// An alert, another version (a server may answer lower) or anything else is a refusal.
    /// </summary>
    public static bool IsServerHelloFor(ReadOnlySpan<byte> firstBytes, ushort version) =>
        firstBytes.Length >= ServerHelloPrefixLength
        && firstBytes[0] == HandshakeContentType
        && firstBytes[5] == ServerHelloType
        && BinaryPrimitives.ReadUInt16BigEndian(firstBytes[9..]) == version;

    private static int BodyLength(string? serverName) =>
        2 + RandomLength + 1 + 2 + CipherSuites.Length * 2 + 1 + 1 + 2 + ExtensionsLength(serverName);

    private static int ExtensionsLength(string? serverName)
    {
        if (serverName is not null && (serverName.Length is 0 or > 255 || !Ascii.IsValid(serverName)))
        {
            throw new ArgumentException("The server name is an ASCII host name of 1 to 255 characters.", nameof(serverName));
        }

        var sni = serverName is null ? 0 : 4 + 2 + 1 + 2 + serverName.Length;
        var groups = 4 + 2 + SupportedGroups.Length * 2;
        var pointFormats = 4 + 1 + 1;
        return sni + groups + pointFormats;
    }

    private ref struct Writer(Span<byte> destination)
    {
        private readonly Span<byte> destination = destination;

        public int Position { get; private set; }

        public void Byte(byte value) => destination[Position++] = value;

        public void UInt16(ushort value)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[Position..], value);
            Position += 2;
        }

        public void UInt24(int value)
        {
            destination[Position++] = (byte)(value >> 16);
            destination[Position++] = (byte)(value >> 8);
            destination[Position++] = (byte)value;
        }

        public void Bytes(ReadOnlySpan<byte> value)
        {
            value.CopyTo(destination[Position..]);
            Position += value.Length;
        }

        public void Ascii(string value) => Position += Encoding.ASCII.GetBytes(value, destination[Position..]);
    }
}
