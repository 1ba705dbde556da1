using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace WebApi.Audit;

/// <summary>
/// The audit trail's hash chain. Each scope (a team, or the global scope for events without one) is a chain of its
/// own: its events are numbered 1, 2, 3... by <see cref="AuditEvent.Sequence"/>, and each stores the hash of the one
/// before it. The database computes the links in a <c>BEFORE INSERT</c> trigger (migration <c>AuditHashChain</c>)
/// under a per-scope advisory lock, so no code path and no concurrent replica can fork a chain; this class recomputes
/// them independently to verify a chain, from the rows alone.
/// </summary>
/// <remarks>
/// <para>The hash is SHA-256 over the event's canonical form, these fields concatenated in this order:</para>
/// <list type="number">
/// <item>text <c>readiness-audit-event/1</c>, the format's name and version;</item>
/// <item>int64 <c>Id</c>, int64 <c>Sequence</c>, int64 <c>At</c> as microseconds since 1970-01-01T00:00:00Z;</item>
/// <item>text <c>ActorId</c>, <c>Action</c>, <c>EntityType</c>, <c>EntityId</c>;</item>
/// <item>uuid <c>TeamId</c>, <c>ServiceId</c>, <c>ReviewId</c>;</item>
/// <item>text <c>Before</c>, <c>After</c> (PostgreSQL's own text form of the <c>jsonb</c> value, which is what a reader
/// gets back, not the text the app sent), <c>TraceId</c>;</item>
/// <item>the 32 bytes of <c>PreviousHash</c>, unprefixed.</item>
/// </list>
/// <para>int64 is 8 bytes, big-endian two's complement. A text or uuid field is one byte <c>0x00</c> when null;
/// otherwise <c>0x01</c>, then for text its UTF-8 byte length as 4 bytes big-endian and the UTF-8 bytes, for a uuid its
/// 16 bytes in RFC 4122 order (as PostgreSQL's <c>uuid_send</c> writes them). So null and empty differ, and no two
/// different rows have the same canonical form.</para>
/// </remarks>
public static class AuditChain
{
    public const int HashLength = 32;

    /// <summary>The name and version at the start of every canonical form.</summary>
    public const string Format = "readiness-audit-event/1";

    private const byte Null = 0x00;
    private const byte Present = 0x01;

    private static readonly byte[] s_genesis = new byte[HashLength];

    /// <summary>The <see cref="AuditEvent.PreviousHash"/> of a scope's first event: 32 zero bytes.</summary>
    public static ReadOnlySpan<byte> Genesis => s_genesis;

    /// <summary>SHA-256 of <paramref name="auditEvent"/>'s canonical form, with its stored <see cref="AuditEvent.PreviousHash"/>.</summary>
    public static byte[] ComputeHash(AuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);

        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendText(sha256, Format);
        AppendInt64(sha256, auditEvent.Id);
        AppendInt64(sha256, auditEvent.Sequence);
        AppendInt64(sha256, UnixMicroseconds(auditEvent.At));
        AppendText(sha256, auditEvent.ActorId);
        AppendText(sha256, auditEvent.Action);
        AppendText(sha256, auditEvent.EntityType);
        AppendText(sha256, auditEvent.EntityId);
        AppendUuid(sha256, auditEvent.TeamId);
        AppendUuid(sha256, auditEvent.ServiceId);
        AppendUuid(sha256, auditEvent.ReviewId);
        AppendText(sha256, auditEvent.Before);
        AppendText(sha256, auditEvent.After);
        AppendText(sha256, auditEvent.TraceId);
        sha256.AppendData(auditEvent.PreviousHash);
        return sha256.GetHashAndReset();
    }

    /// <summary>
    /// Checks every link of <paramref name="events"/>, which must come ordered by scope (<see cref="AuditEvent.TeamId"/>,
    /// each scope's events together) and then by <see cref="AuditEvent.Sequence"/>; stops at the first broken link.
    /// </summary>
    public static async Task<AuditChainReport> VerifyAsync(IAsyncEnumerable<AuditEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);

        long count = 0;
        var scopes = 0;
        AuditEvent? previous = null;
        await foreach (var current in events.WithCancellation(cancellationToken))
        {
            if (previous is null || previous.TeamId != current.TeamId)
            {
                scopes++;
                previous = null;
            }

            count++;
            if (FindBreak(previous, current) is { } problem)
            {
                return new AuditChainReport(count, scopes, new AuditChainBreak(current.TeamId, current.Id, current.Sequence, problem));
            }

            previous = current;
        }

        return new AuditChainReport(count, scopes, null);
    }

    /// <summary>What is wrong with the link from <paramref name="previous"/> (null at a scope's start) to <paramref name="current"/>, if anything.</summary>
    private static string? FindBreak(AuditEvent? previous, AuditEvent current)
    {
        var expectedSequence = (previous?.Sequence ?? 0) + 1;
        if (current.Sequence != expectedSequence)
        {
            return previous is null
                ? $"gap: the scope starts at sequence {current.Sequence}, not 1"
                : $"gap: sequence {current.Sequence} follows {previous.Sequence} (event {previous.Id}), {expectedSequence} expected";
        }

        var expectedPrevious = previous is null ? Genesis : previous.Hash;
        if (!current.PreviousHash.AsSpan().SequenceEqual(expectedPrevious))
        {
            return previous is null
                ? $"previous-hash mismatch: the scope's first event stores previous hash {Hex(current.PreviousHash)}, not zeros"
                : $"previous-hash mismatch: stores {Hex(current.PreviousHash)}, but event {previous.Id} (sequence {previous.Sequence}) has hash {Hex(previous.Hash)}";
        }

        var computed = ComputeHash(current);
        if (!CryptographicOperations.FixedTimeEquals(computed, current.Hash))
        {
            return $"hash mismatch: stores {Hex(current.Hash)}, its fields hash to {Hex(computed)}";
        }

        return null;
    }

    /// <summary>The first 8 bytes, in hex: enough to tell two hashes apart in a one-line report.</summary>
    private static string Hex(byte[] hash) =>
        hash.Length == 0 ? "(empty)" : Convert.ToHexStringLower(hash.AsSpan(0, Math.Min(hash.Length, 8))) + (hash.Length > 8 ? "..." : "");

    private static long UnixMicroseconds(DateTimeOffset at) =>
        (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    private static void AppendInt64(IncrementalHash hash, long value)
    {
        Span<byte> bytes = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        hash.AppendData(bytes);
    }

    private static void AppendText(IncrementalHash hash, string? value)
    {
        if (value is null)
        {
            hash.AppendData([Null]);
            return;
        }

        var utf8 = Encoding.UTF8.GetBytes(value);
        Span<byte> prefix = stackalloc byte[1 + sizeof(int)];
        prefix[0] = Present;
        BinaryPrimitives.WriteInt32BigEndian(prefix[1..], utf8.Length);
        hash.AppendData(prefix);
        hash.AppendData(utf8);
    }

    private static void AppendUuid(IncrementalHash hash, Guid? value)
    {
        if (value is not { } uuid)
        {
            hash.AppendData([Null]);
            return;
        }

        Span<byte> bytes = stackalloc byte[1 + 16];
        bytes[0] = Present;
        uuid.TryWriteBytes(bytes[1..], bigEndian: true, out _);
        hash.AppendData(bytes);
    }
}

/// <summary>What <see cref="AuditChain.VerifyAsync"/> found: how many events and scopes it read, and the first broken link if any.</summary>
public sealed record AuditChainReport(long Events, int Scopes, AuditChainBreak? FirstBreak)
{
    public bool IsIntact => FirstBreak is null;
}

/// <summary>The first link that does not hold: the event at which the chain breaks, and why.</summary>
public sealed record AuditChainBreak(Guid? Scope, long EventId, long Sequence, string Problem)
{
    public string ScopeName => Scope is { } team ? $"team {team}" : "global";

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"scope {ScopeName}, event {EventId} (sequence {Sequence}): {Problem}");
}
