using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Backup;

/// <summary>
/// pg_dump and pg_restore against the database of connection string <c>readiness</c>. The password goes to them in
/// PGPASSWORD, never on a command line.
/// </summary>
public sealed class PostgresTools(IConfiguration configuration, IOptions<BackupOptions> options)
{
    public const string ConnectionName = "readiness";

    public string ConnectionString => configuration.GetRequiredConnectionString(ConnectionName);

    public string DatabaseName => new NpgsqlConnectionStringBuilder(ConnectionString).Database ?? "postgres";

    /// <summary>A consistent snapshot of the whole database in pg_dump's custom format (compressed, restorable by table).</summary>
    public Task DumpAsync(string path, CancellationToken cancellationToken) =>
        RunAsync(options.Value.PgDump, ["--format=custom", "--compress=6", "--no-password", $"--file={path}"], cancellationToken);

    /// <summary>Reads the archive's table of contents: fails on a file that is not a whole custom-format dump.</summary>
    public Task ListAsync(string path, CancellationToken cancellationToken) =>
        RunAsync(options.Value.PgRestore, ["--list", path], cancellationToken, connect: false);

    /// <summary>
    /// Restores into the (empty) database in one transaction: if any statement fails, nothing stays. Owners and grants
    /// are the restoring user's, so a backup restores into a server whose roles differ.
    /// </summary>
    public Task RestoreAsync(string path, CancellationToken cancellationToken) =>
        RunAsync(options.Value.PgRestore, ["--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges", "--no-password", $"--dbname={DatabaseName}", path], cancellationToken);

    /// <summary>How many tables, views and sequences the database holds outside the system schemas.</summary>
    public async Task<long> CountRelationsAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
            """, connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// libpq's TLS settings for what the connection string asks of Npgsql: the same mode (a verifying one stays
    /// verifying) and the same roots, else the system's (libpq 16 and later), never silently none.
    /// </summary>
    public static IEnumerable<(string Name, string Value)> TlsEnvironment(NpgsqlConnectionStringBuilder target)
    {
        ArgumentNullException.ThrowIfNull(target);
        yield return ("PGSSLMODE", target.SslMode switch
        {
            SslMode.Disable => "disable",
            SslMode.Allow => "allow",
            SslMode.Require => "require",
            SslMode.VerifyCA => "verify-ca",
            SslMode.VerifyFull => "verify-full",
            _ => "prefer",
        });
        if (target.SslMode is SslMode.VerifyCA or SslMode.VerifyFull)
        {
            yield return ("PGSSLROOTCERT", string.IsNullOrEmpty(target.RootCertificate) ? "system" : target.RootCertificate);
        }

        if (!string.IsNullOrEmpty(target.SslCertificate))
        {
            yield return ("PGSSLCERT", target.SslCertificate);
        }

        if (!string.IsNullOrEmpty(target.SslKey))
        {
            yield return ("PGSSLKEY", target.SslKey);
        }
    }

    private static void Stop(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }

        process.WaitForExit(TimeSpan.FromSeconds(10));
    }

    private async Task RunAsync(string program, IEnumerable<string> arguments, CancellationToken cancellationToken, bool connect = true)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (connect)
        {
            var target = new NpgsqlConnectionStringBuilder(ConnectionString);
            start.Environment["PGHOST"] = target.Host;
            start.Environment["PGPORT"] = target.Port.ToString(CultureInfo.InvariantCulture);
            start.Environment["PGUSER"] = target.Username;
            start.Environment["PGPASSWORD"] = target.Password;
            start.Environment["PGDATABASE"] = target.Database;
            foreach (var (name, value) in TlsEnvironment(target))
            {
                start.Environment[name] = value;
            }
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new BackupException($"{program} could not be started ({exception.Message}); install the PostgreSQL client (apt-get install postgresql-client).", exception);
        }

        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Stopped: the program must not outlive the call, holding its table locks once the schema lock is
                // released and writing into a directory about to be deleted. A restore dies in its transaction.
                Stop(process);
                throw;
            }

            if (process.ExitCode != 0)
            {
                var message = (await errors).Trim().Split('\n').FirstOrDefault(line => line.Length > 0) ?? $"exit code {process.ExitCode}";
                throw new BackupException($"{Path.GetFileName(program)} failed: {message}");
            }

            await output;
        }
    }
}

/// <summary>A backup or restore that failed for a reason worth one line to an operator.</summary>
public sealed class BackupException(string message, Exception? inner = null) : Exception(message, inner);
