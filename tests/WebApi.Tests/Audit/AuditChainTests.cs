using WebApi.Audit;

namespace WebApi.Tests.Audit;

/// <summary>
/// The chain's canonical form and its verifier. The expected hashes were computed by the migration's SQL function
/// (<c>"AuditEvents_hash"</c>) on PostgreSQL 15: the C# side must agree with the trigger byte for byte.
/// </summary>
public sealed class AuditChainTests
{
    private static readonly Guid s_team = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
    private static readonly Guid s_otherTeam = Guid.Parse("3b241101-e2bb-4255-8caf-4136c566a962");

    [Fact]
    public void The_hash_is_the_one_PostgreSQL_computes_for_the_same_row()
    {
        var full = new AuditEvent
        {
            Id = 42,
            At = DateTimeOffset.Parse("2026-12-01T10:20:30.123456Z", System.Globalization.CultureInfo.InvariantCulture),
            ActorId = "user-1",
            Action = "service.updated",
            EntityType = "service",
            EntityId = "s-1",
            TeamId = s_team,
            ServiceId = Guid.Parse("7c9e6679-7425-40de-944b-e07fc1f90ae7"),
            // jsonb's text form, as PostgreSQL gives it back: keys sorted by length then bytes, ", " and ": ".
            Before = """{"name": "Checkout", "tier": "A"}""",
            After = """{"name": "Kassé ✓", "tags": ["a", 1.50], "tier": "B"}""",
            TraceId = "",
            Sequence = 7,
            PreviousHash = [.. Enumerable.Range(1, 32).Select(b => (byte)b)],
        };
        var sparse = new AuditEvent
        {
            Id = 1,
            At = DateTimeOffset.UnixEpoch.AddTicks(-TimeSpan.TicksPerMicrosecond),
            Action = "token.created",
            EntityType = "token",
            EntityId = "",
            Sequence = 1,
            PreviousHash = new byte[32],
        };

        Assert.Equal("c2fb9553dca5c5e99cba5832839982b64ee733e6ccb2c52592045373461387f1", Convert.ToHexStringLower(AuditChain.ComputeHash(full)));
        Assert.Equal("6479895fb2ccca612d85f84adcef2a20aae81d1aacae49f8126fdf27a6221d9d", Convert.ToHexStringLower(AuditChain.ComputeHash(sparse)));
    }

    [Fact]
    public void Every_field_is_hashed_null_differs_from_empty_and_fields_cannot_trade_bytes()
    {
        var baseline = AuditChain.ComputeHash(Event());
        var variants = new AuditEvent[]
        {
            Event(id: 2),
            Event(sequence: 2),
            Event(at: DateTimeOffset.UnixEpoch.AddTicks(TimeSpan.TicksPerMicrosecond)),
            Event(actorId: ""),
            Event(action: "team.deleted"),
            Event(entityType: "member"),
            Event(entityId: "t-2"),
            Event(teamId: s_team),
            Event(serviceId: s_team),
            Event(reviewId: s_team),
            Event(before: ""),
            Event(after: """{"name": "B"}"""),
            Event(traceId: "0af7651916cd43dd8448eb211c80319c"),
            Event(previousHash: [.. Enumerable.Repeat((byte)1, 32)]),
            // The same bytes moved from one field to the next.
            Event(actorId: "ab", action: "c"),
            Event(actorId: "a", action: "bc"),
        };

        var hashes = variants.Select(v => Convert.ToHexStringLower(AuditChain.ComputeHash(v))).Prepend(Convert.ToHexStringLower(baseline)).ToList();
        Assert.Equal(hashes.Count, hashes.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task An_intact_chain_reports_its_events_and_scopes()
    {
        var report = await AuditChain.VerifyAsync(Stream([.. Chain(s_team, 3), .. Chain(s_otherTeam, 2), .. Chain(null, 1)]));

        Assert.True(report.IsIntact);
        Assert.Equal(6, report.Events);
        Assert.Equal(3, report.Scopes);
    }

    [Fact]
    public async Task An_edited_event_is_a_hash_mismatch_at_that_event()
    {
        var chain = Chain(s_team, 4);
        chain[2] = Event(id: chain[2].Id, teamId: s_team, sequence: 3, previousHash: chain[2].PreviousHash, after: """{"name": "Forged"}""", hash: chain[2].Hash);

        var broken = (await AuditChain.VerifyAsync(Stream([.. Chain(s_otherTeam, 2), .. chain]))).FirstBreak;

        Assert.NotNull(broken);
        Assert.Equal((s_team, chain[2].Id, 3L), (broken.Scope, broken.EventId, broken.Sequence));
        Assert.StartsWith("hash mismatch:", broken.Problem, StringComparison.Ordinal);
        Assert.StartsWith($"scope team {s_team}, event {chain[2].Id} (sequence 3): hash mismatch", broken.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_edited_event_whose_own_hash_was_recomputed_breaks_the_next_link()
    {
        var chain = Chain(null, 4);
        var forged = Event(id: chain[1].Id, teamId: null, sequence: 2, previousHash: chain[1].PreviousHash, after: """{"name": "Forged"}""");
        chain[1] = Event(id: forged.Id, teamId: null, sequence: 2, previousHash: forged.PreviousHash, after: forged.After, hash: AuditChain.ComputeHash(forged));

        var broken = (await AuditChain.VerifyAsync(Stream(chain))).FirstBreak;

        Assert.NotNull(broken);
        Assert.Equal((null, chain[2].Id), (broken.Scope, broken.EventId));
        Assert.StartsWith("previous-hash mismatch:", broken.Problem, StringComparison.Ordinal);
        Assert.StartsWith("scope global,", broken.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deleted_event_is_a_gap_named_at_the_event_after_it()
    {
        var chain = Chain(s_team, 5);

        var middle = (await AuditChain.VerifyAsync(Stream([.. chain.Where((_, i) => i != 2)]))).FirstBreak;
        var first = (await AuditChain.VerifyAsync(Stream([.. chain.Skip(1)]))).FirstBreak;

        Assert.NotNull(middle);
        Assert.Equal(chain[3].Id, middle.EventId);
        Assert.Equal($"gap: sequence 4 follows 2 (event {chain[1].Id}), 3 expected", middle.Problem);
        Assert.NotNull(first);
        Assert.Equal(chain[1].Id, first.EventId);
        Assert.Equal("gap: the scope starts at sequence 2, not 1", first.Problem);
    }

    /// <summary>
    /// <paramref name="count"/> correctly linked events of one scope. Their ids fall as the sequence rises: the chain's
    /// order is its own, not the ids' (which PostgreSQL draws before the trigger takes the scope's lock).
    /// </summary>
    private static List<AuditEvent> Chain(Guid? teamId, int count)
    {
        var idBase = teamId == s_team ? 1000 : teamId is null ? 3000 : 2000;
        var events = new List<AuditEvent>();
        var previous = new byte[32];
        for (var sequence = 1; sequence <= count; sequence++)
        {
            var unsealed = Event(id: idBase - sequence, teamId: teamId, sequence: sequence, previousHash: previous);
            var sealedEvent = Event(id: unsealed.Id, teamId: teamId, sequence: sequence, previousHash: previous, hash: AuditChain.ComputeHash(unsealed));
            events.Add(sealedEvent);
            previous = sealedEvent.Hash;
        }

        return events;
    }

    private static AuditEvent Event(
        long id = 1, long sequence = 1, DateTimeOffset? at = null, string? actorId = null, string action = "team.created",
        string entityType = "team", string entityId = "t-1", Guid? teamId = null, Guid? serviceId = null, Guid? reviewId = null,
        string? before = null, string? after = """{"name": "A"}""", string? traceId = null, byte[]? previousHash = null, byte[]? hash = null) =>
        new()
        {
            Id = id,
            Sequence = sequence,
            At = at ?? DateTimeOffset.UnixEpoch,
            ActorId = actorId,
            Action = action,
            EntityType = entityType,
            EntityId = entityId,
            TeamId = teamId,
            ServiceId = serviceId,
            ReviewId = reviewId,
            Before = before,
            After = after,
            TraceId = traceId,
            PreviousHash = previousHash ?? new byte[32],
            Hash = hash ?? [],
        };

    private static async IAsyncEnumerable<AuditEvent> Stream(IEnumerable<AuditEvent> events)
    {
        foreach (var auditEvent in events)
        {
            await Task.Yield();
            yield return auditEvent;
        }
    }
}
