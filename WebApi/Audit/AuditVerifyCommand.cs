using System.Globalization;
using System.Runtime.CompilerServices;
using Npgsql;
using WebApi.Data;

namespace WebApi.Audit;

/// <summary>
/// <c>WebApi audit verify [--team ID]</c>: reads the audit trail from PostgreSQL, recomputes every scope's hash chain
/// (<see cref="AuditChain"/>) and exits: 0 with a one-line summary when every link holds, 1 with one line naming the
/// first broken link (scope, event id, and whether the hash, the previous hash or the sequence is wrong), 2 with one
/// line on stderr for bad usage or a database it cannot read.
/// </summary>
public static class AuditVerifyCommand
{
    public const string Verb = "audit";

    public const int Intact = 0;
    public const int Broken = 1;
    public const int Failed = 2;

    private const string Usage = "usage: WebApi audit verify [--team <team id>]";

    // One query, so one snapshot: events committed while it reads are either all in it or all out of it.
    private const string Columns = """
        SELECT "Id", "At", "ActorId", "Action", "EntityType", "EntityId", "TeamId", "ServiceId", "ReviewId",
               "Before", "After", "TraceId", "Sequence", "PreviousHash", "Hash"
        FROM "AuditEvents"
        """;

    public static bool IsRequested(string[] args) => args is [Verb, ..];

    /// <returns>The process exit code: <see cref="Intact"/>, <see cref="Broken"/> or <see cref="Failed"/>.</returns>
    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        if (!TryParse(args, out var team, out var problem))
        {
            await error.WriteLineAsync($"audit: {problem}; {Usage}");
            return Failed;
        }

        try
        {
            var connectionString = DatabaseExtensions.GetConnectionString(services.GetRequiredService<IConfiguration>());
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand(
                team is null ? $"""{Columns} ORDER BY "TeamId", "Sequence" """ : $"""{Columns} WHERE "TeamId" = @team ORDER BY "Sequence" """,
                connection);
            if (team is { } teamId)
            {
                command.Parameters.AddWithValue("team", teamId);
            }

            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var report = await AuditChain.VerifyAsync(ReadAsync(reader, cancellationToken), cancellationToken);
            if (report.FirstBreak is { } broken)
            {
                await output.WriteLineAsync($"audit verify: broken link in {broken}");
                return Broken;
            }

            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"audit verify: {report.Events} {Plural(report.Events, "event")} in {report.Scopes} {Plural(report.Scopes, "scope")}, chain intact"));
            return Intact;
        }
#pragma warning disable CA1031 // Any failure must become one line on stderr and exit code 2, never a stack trace.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            // An unreachable server, a refused login, a schema without the chain's columns, a malformed connection string.
            await error.WriteLineAsync($"audit verify: cannot read the audit trail: {Describe(exception)}");
            return Failed;
        }
    }

    private static bool TryParse(string[] args, out Guid? team, out string problem)
    {
        team = null;
        problem = "";
        switch (args)
        {
            case [Verb, "verify"]:
                return true;
            case [Verb, "verify", "--team", var value] when Guid.TryParse(value, CultureInfo.InvariantCulture, out var id):
                team = id;
                return true;
            case [Verb, "verify", "--team", var value]:
                problem = $"'{value}' is not a team id";
                return false;
            case [Verb, "verify", .. var rest]:
                problem = $"unexpected '{string.Join(' ', rest)}'";
                return false;
            case [Verb, var other, ..]:
                problem = $"unknown command '{other}'";
                return false;
            default:
                problem = "which command?";
                return false;
        }
    }

    private static async IAsyncEnumerable<AuditEvent> ReadAsync(NpgsqlDataReader reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new AuditEvent
            {
                Id = reader.GetInt64(0),
                At = reader.GetFieldValue<DateTimeOffset>(1),
                ActorId = Text(reader, 2),
                Action = reader.GetString(3),
                EntityType = reader.GetString(4),
                EntityId = reader.GetString(5),
                TeamId = Uuid(reader, 6),
                ServiceId = Uuid(reader, 7),
                ReviewId = Uuid(reader, 8),
                // jsonb comes back as PostgreSQL's text form of the value, as the trigger hashed it.
                Before = Text(reader, 9),
                After = Text(reader, 10),
                TraceId = Text(reader, 11),
                Sequence = reader.GetInt64(12),
                PreviousHash = reader.GetFieldValue<byte[]>(13),
                Hash = reader.GetFieldValue<byte[]>(14),
            };
        }
    }

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static Guid? Uuid(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetGuid(ordinal);

    private static string Plural(long count, string noun) => count == 1 ? noun : noun + "s";

    private static string Describe(Exception exception)
    {
        var message = exception.InnerException is { } inner && inner.Message != exception.Message
            ? $"{exception.Message} ({inner.Message})"
            : exception.Message;
        return message.ReplaceLineEndings(" ");
    }
}
