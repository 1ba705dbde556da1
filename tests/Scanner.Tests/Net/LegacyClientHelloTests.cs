using System.Buffers.Binary;
using System.Text;
using Scanner.Net;

namespace Scanner.Tests.Net;

public sealed class LegacyClientHelloTests
{
    private static readonly byte[] Random = [.. Enumerable.Range(1, 32).Select(value => (byte)value)];

    [Theory]
    [InlineData(LegacyClientHello.Tls10)]
    [InlineData(LegacyClientHello.Tls11)]
    public void The_record_is_a_handshake_holding_one_client_hello_for_the_version(ushort version)
    {
        var hello = Encode(version, "localhost");

        Assert.Equal(LegacyClientHello.GetLength("localhost"), hello.Length);
        Assert.Equal(0x16, hello[0]);
        Assert.Equal(0x0301, BinaryPrimitives.ReadUInt16BigEndian(hello.AsSpan(1)));
        Assert.Equal(hello.Length - 5, BinaryPrimitives.ReadUInt16BigEndian(hello.AsSpan(3)));
        Assert.Equal(0x01, hello[5]);
        Assert.Equal(hello.Length - 9, (hello[6] << 16) | (hello[7] << 8) | hello[8]);
        Assert.Equal(version, BinaryPrimitives.ReadUInt16BigEndian(hello.AsSpan(9)));
        Assert.Equal(Random, hello[11..43]);
        Assert.Equal(0, hello[43]);
    }

    [Fact]
    public void The_body_offers_the_classic_suites_and_null_compression()
    {
        var reader = new Reader(Encode(LegacyClientHello.Tls10, "localhost"), 44);

        var suites = reader.Vector16();
        var compression = reader.Vector8();

        Assert.Equal(
            [0xc013, 0xc014, 0xc009, 0xc00a, 0x002f, 0x0035, 0x000a],
            Enumerable.Range(0, suites.Length / 2).Select(index => (int)BinaryPrimitives.ReadUInt16BigEndian(suites.AsSpan(index * 2))));
        Assert.Equal([0], compression);
    }

    [Fact]
    public void The_extensions_are_sni_groups_and_point_formats_without_supported_versions()
    {
        var extensions = Extensions(Encode(LegacyClientHello.Tls11, "weak.example"));

        Assert.Equal([0x0000, 0x000a, 0x000b], extensions.Keys);
        var sni = new Reader(extensions[0x0000], 0);
        var list = new Reader(sni.Vector16(), 0);
        Assert.Equal(0, list.Byte());
        Assert.Equal("weak.example", Encoding.ASCII.GetString(list.Vector16()));
        Assert.Equal([0x00, 0x06, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18], extensions[0x000a]);
        Assert.Equal([0x01, 0x00], extensions[0x000b]);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    public void An_address_literal_gets_no_sni(string host)
    {
        var serverName = LegacyClientHello.ServerName(host);

        Assert.Null(serverName);
        Assert.Equal([0x000a, 0x000b], Extensions(Encode(LegacyClientHello.Tls10, serverName)).Keys);
    }

    [Fact]
    public void A_server_hello_is_acceptance_only_for_the_version_offered()
    {
        byte[] serverHello10 = [0x16, 0x03, 0x01, 0x00, 0x51, 0x02, 0x00, 0x00, 0x4d, 0x03, 0x01];
        byte[] serverHello11 = [0x16, 0x03, 0x02, 0x00, 0x51, 0x02, 0x00, 0x00, 0x4d, 0x03, 0x02];
        byte[] protocolVersionAlert = [0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46];

        Assert.True(LegacyClientHello.IsServerHelloFor(serverHello10, LegacyClientHello.Tls10));
        Assert.True(LegacyClientHello.IsServerHelloFor(serverHello11, LegacyClientHello.Tls11));
        Assert.False(LegacyClientHello.IsServerHelloFor(serverHello10, LegacyClientHello.Tls11));
        Assert.False(LegacyClientHello.IsServerHelloFor(protocolVersionAlert, LegacyClientHello.Tls10));
        Assert.False(LegacyClientHello.IsServerHelloFor(serverHello10.AsSpan(0, 9), LegacyClientHello.Tls10));
        Assert.False(LegacyClientHello.IsServerHelloFor([], LegacyClientHello.Tls10));
    }

    [Fact]
    public void A_destination_too_small_is_refused() =>
        Assert.Throws<ArgumentException>(() => LegacyClientHello.Write(new byte[20], LegacyClientHello.Tls10, "localhost", Random));

    private static byte[] Encode(ushort version, string? serverName)
    {
        var buffer = new byte[LegacyClientHello.GetLength(serverName) + 10];
        var written = LegacyClientHello.Write(buffer, version, serverName, Random);
        return buffer[..written];
    }

    private static Dictionary<int, byte[]> Extensions(byte[] hello)
    {
        var reader = new Reader(hello, 44);
        reader.Vector16();
        reader.Vector8();
        var block = reader.Vector16();
        Assert.Equal(hello.Length, reader.Position);

        var extensions = new Dictionary<int, byte[]>();
        var items = new Reader(block, 0);
        while (items.Position < block.Length)
        {
            var type = items.UInt16();
            extensions.Add(type, items.Vector16());
        }

        return extensions;
    }

    private sealed class Reader(byte[] bytes, int position)
    {
        public int Position { get; private set; } = position;

        public byte Byte() => bytes[Position++];

        public int UInt16()
        {
            var value = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(Position));
            Position += 2;
            return value;
        }

        public byte[] Vector8() => Take(Byte());

        public byte[] Vector16() => Take(UInt16());

        private byte[] Take(int length)
        {
            var value = bytes[Position..(Position + length)];
            Position += length;
            return value;
        }
    }
}
