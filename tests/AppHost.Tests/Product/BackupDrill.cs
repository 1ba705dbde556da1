using System.Globalization;
using System.Text.RegularExpressions;
using AppHost.Tests.Deployment;
using Azure.Storage.Blobs;
using Npgsql;
using ReadinessAspire.Testing;
using ServiceDefaults.Data;
using Xunit.Abstractions;

namespace AppHost.Tests.Product;

/// <summary>
/// Backups that restore: the backup worker's own commands against the stack's PostgreSQL and blob storage. The drill
/// restores into a new, empty database on the same server (the shared stack's own database stays in use by the other
/// tests), which is what a wipe and restore does to the live one, and compares it with the archive row for row.
/// </summary>
[Collection(StackTestGroup.Name)]
public sealed partial class BackupDrill(StackFixture stack, ITestOutputHelper output)
{
    [Fact]
    public async Task The_worker_backs_up_at_start_when_the_store_holds_no_backup()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var container = new BlobContainerClient(await stack.App.GetConnectionStringAsync("evidence", timeout.Token), "backups");
        while (true)
        {
            if (await container.ExistsAsync(timeout.Token))
            {
                var names = new List<string>();
                await foreach (var blob in container.GetBlobsAsync(cancellationToken: timeout.Token))
                {
                    names.Add(blob.Name);
                }

                if (names.Count > 0)
                {
                    output.WriteLine($"the worker's backups: {string.Join(", ", names)}");
                    Assert.All(names, name => Assert.Matches(BackupName(), name));
                    return;
                }
            }

            await Task.Delay(TimeSpan.FromSeconds(1), timeout.Token);
        }
    }

    [Fact]
    public async Task A_backup_restores_into_an_empty_database_whole_and_a_missing_or_corrupt_one_changes_nothing()
    {
        var app = stack.App;
        using var user = await ProductUser.SignUpAsync(stack, "backup");
        var teamId = (await user.CreateTeamAsync())["id"]!.GetValue<string>();
        var services = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            services.Add((await user.CreateServiceAsync(teamId))["id"]!.GetValue<string>());
        }

        var live = await app.GetConnectionStringAsync("readiness");
        var storage = await app.GetConnectionStringAsync("evidence");
        var containerName = $"drill-{Guid.NewGuid():N}"[..20];
        var container = new BlobContainerClient(storage, containerName);
        var restored = await CreateDatabaseAsync(live!);
        var untouched = await CreateDatabaseAsync(live!);
        try
        {
            // Three backups with Keep=2: the oldest is pruned.
            var names = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                var backup = await RunBackupAsync(live!, storage!, containerName, "backup");
                Assert.True(backup.ExitCode == 0, backup.Output);
                names.Add(BackupName().Match(backup.Output).Value);
            }

            var kept = new List<string>();
            await foreach (var blob in container.GetBlobsAsync())
            {
                kept.Add(blob.Name);
            }

            output.WriteLine($"backups {string.Join(", ", names)}; kept {string.Join(", ", kept)}");
            Assert.Equal(names.Skip(1), kept);
            var newest = names[^1];

            // Restored into an empty database: the data is the archive's, row for row, and holds what the test wrote.
            var restore = await RunBackupAsync(With(live!, restored), storage!, containerName, "restore", newest);
            output.WriteLine(restore.Output);
            Assert.True(restore.ExitCode == 0, restore.Output);
            var archive = Path.Combine(Path.GetTempPath(), newest);
            await container.GetBlobClient(newest).DownloadToAsync(archive);
            try
            {
                var fromArchive = await DataAsSqlAsync("pg_restore", ["--data-only", "--file=-", archive], live!);
                var fromRestored = await DataAsSqlAsync("pg_dump", ["--data-only"], With(live!, restored));
                Assert.True(fromArchive.Length > 1000, "the archive's data is empty");
                Assert.Equal(fromArchive, fromRestored);

                await using var connection = new NpgsqlConnection(With(live!, restored));
                await connection.OpenAsync();
                await using var count = new NpgsqlCommand("""SELECT count(*) FROM "Services" WHERE "Id" = ANY(@ids)""", connection);
                count.Parameters.AddWithValue("ids", services.Select(Guid.Parse).ToArray());
                Assert.Equal(3L, await count.ExecuteScalarAsync());

                // The audit trail's hash chains come back intact: triggers are restored after the rows.
                var (verified, report) = await AuditChainTests.VerifyAsync(With(live!, restored));
                output.WriteLine(report);
                Assert.True(verified == 0, report);

                // Refused, each with one line and nothing changed: an archive cut in half, one whose data is garbled
                // past its table of contents (pg_restore fails midway and the transaction rolls back), a name that
                // is not in the store, and a blob that is no archive at all.
                var bytes = await File.ReadAllBytesAsync(archive);
                var truncated = BackupNameAt(DateTimeOffset.UtcNow.AddMinutes(1));
                await container.GetBlobClient(truncated).UploadAsync(new BinaryData(bytes[..(bytes.Length / 2)]));
                await AssertRefusedAsync(await RunBackupAsync(With(live!, untouched), storage!, containerName, "restore", truncated), "Nothing was changed", untouched, live!);
                var garbled = bytes.ToArray();
                // The table of contents comes first and the data blocks after it: garble the last ones.
                Array.Fill(garbled, (byte)0xA5, garbled.Length - 2048, 2032);
                var corrupt = BackupNameAt(DateTimeOffset.UtcNow.AddMinutes(2));
                await container.GetBlobClient(corrupt).UploadAsync(new BinaryData(garbled));
                await AssertRefusedAsync(await RunBackupAsync(With(live!, untouched), storage!, containerName, "restore", corrupt), "failed and was rolled back", untouched, live!);
                await AssertRefusedAsync(await RunBackupAsync(With(live!, untouched), storage!, containerName, "restore", BackupNameAt(new DateTimeOffset(1999, 1, 1, 0, 0, 0, TimeSpan.Zero))), "No backup named", untouched, live!);
                var garbage = BackupNameAt(DateTimeOffset.UtcNow.AddMinutes(3));
                await container.GetBlobClient(garbage).UploadAsync(new BinaryData("not a dump"u8.ToArray()));
                await AssertRefusedAsync(await RunBackupAsync(With(live!, untouched), storage!, containerName, "restore", garbage), "not a readable pg_dump archive", untouched, live!);

                var again = await RunBackupAsync(With(live!, restored), storage!, containerName, "restore", newest);
                Assert.Equal(1, again.ExitCode);
                Assert.Contains("is not empty", again.Output, StringComparison.Ordinal);
                Assert.Equal(fromRestored, await DataAsSqlAsync("pg_dump", ["--data-only"], With(live!, restored)));
            }
            finally
            {
                File.Delete(archive);
            }
        }
        finally
        {
            await container.DeleteIfExistsAsync();
            await DropDatabaseAsync(live!, restored);
            await DropDatabaseAsync(live!, untouched);
        }
    }

    [Fact]
    public async Task A_backup_waits_for_a_migration_that_holds_the_schema_lock_and_dumps_what_it_made()
    {
        var live = await stack.App.GetConnectionStringAsync("readiness");
        var storage = await stack.App.GetConnectionStringAsync("evidence");
        var containerName = $"drill-{Guid.NewGuid():N}"[..20];
        var database = await CreateDatabaseAsync(live!);
        try
        {
            var migration = await SchemaLock.AcquireExclusiveAsync(With(live!, database));
            Task<ChildProcessResult> backup;
            await using (migration)
            {
                backup = RunBackupAsync(With(live!, database), storage!, containerName, "backup");
                await AdvisoryLockWaiters.WaitForOneAsync(With(live!, database), TimeSpan.FromMinutes(1));
                Assert.False(backup.IsCompleted, "the backup ran while the migration held the lock");

                // The migration's work, which a dump taken beside it would not hold.
                await using var connection = new NpgsqlConnection(With(live!, database));
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand("CREATE TABLE made_by_the_migration (id int PRIMARY KEY)", connection);
                await create.ExecuteNonQueryAsync();
            }

            var result = await backup.WaitAsync(TimeSpan.FromMinutes(1));
            output.WriteLine(result.Output);
            Assert.True(result.ExitCode == 0, result.Output);
            var name = BackupName().Match(result.Output).Value;
            var archive = Path.Combine(Path.GetTempPath(), name);
            await new BlobContainerClient(storage, containerName).GetBlobClient(name).DownloadToAsync(archive);
            try
            {
                var contents = await ChildProcessResult.RunAsync("pg_restore", ["--list", archive], Path.GetTempPath());
                Assert.Contains("TABLE public made_by_the_migration", contents.Output, StringComparison.Ordinal);
            }
            finally
            {
                File.Delete(archive);
            }
        }
        finally
        {
            await new BlobContainerClient(storage, containerName).DeleteIfExistsAsync();
            await DropDatabaseAsync(live!, database);
        }
    }

    [Fact]
    public async Task A_backup_stopped_by_SIGTERM_stops_its_pg_dump_and_keeps_nothing()
    {
        var live = await stack.App.GetConnectionStringAsync("readiness");
        var storage = await stack.App.GetConnectionStringAsync("evidence");
        var containerName = $"drill-{Guid.NewGuid():N}"[..20];
        var database = await CreateDatabaseAsync(live!);
        var directory = Directory.CreateTempSubdirectory("backup-sigterm-");
        LinuxProcess? pgDump = null;
        try
        {
            // A pg_dump that never finishes, and says who it is and who started it.
            var script = Path.Combine(directory.FullName, "pg_dump");
            var pids = Path.Combine(directory.FullName, "pids");
            await File.WriteAllTextAsync(script, $"#!/bin/sh\necho \"$$ $PPID\" > \"{pids}.part\" && mv \"{pids}.part\" \"{pids}\"\nexec sleep 300\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var backup = RunBackupAsync(With(live!, database), storage!, containerName, new() { ["Backups__PgDump"] = script }, ["backup"]);
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            while (!File.Exists(pids))
            {
                if (backup.IsCompleted)
                {
                    Assert.Fail((await backup).Output);
                }

                await Task.Delay(100, deadline.Token);
            }

            var started = (await File.ReadAllTextAsync(pids, deadline.Token)).Split(' ', StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
            pgDump = LinuxProcess.Find(started[0]);
            var command = LinuxProcess.Find(started[1]);
            Assert.True(pgDump?.IsAlive, "pg_dump is not running");
            command!.Signal(15);

            var result = await backup.WaitAsync(TimeSpan.FromMinutes(1));
            output.WriteLine(result.Output);
            Assert.Equal(1, result.ExitCode);
            Assert.Equal("'backup' was stopped before it finished (a restore rolls back and changes nothing).", result.Output.Trim());
            Assert.False(pgDump!.IsAlive, "pg_dump outlived the command that was stopped");
            var container = new BlobContainerClient(storage, containerName);
            Assert.False(await container.ExistsAsync() && await container.GetBlobsAsync().AnyAsync(), "a backup was kept");
        }
        finally
        {
            // Only if the command left it behind: the test's own stand-in.
            pgDump?.Signal(9);
            directory.Delete(recursive: true);
            await new BlobContainerClient(storage, containerName).DeleteIfExistsAsync();
            await DropDatabaseAsync(live!, database);
        }
    }

    private async Task AssertRefusedAsync(ChildProcessResult result, string reason, string database, string live)
    {
        output.WriteLine(result.Output);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(reason, result.Output, StringComparison.Ordinal);
        await using var connection = new NpgsqlConnection(With(live, database));
        await connection.OpenAsync();
        await using var tables = new NpgsqlCommand("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'", connection);
        Assert.Equal(0L, await tables.ExecuteScalarAsync());
    }

    private static Task<ChildProcessResult> RunBackupAsync(string database, string storage, string container, params string[] arguments) =>
        RunBackupAsync(database, storage, container, new Dictionary<string, string?>(), arguments);

    private static Task<ChildProcessResult> RunBackupAsync(string database, string storage, string container, Dictionary<string, string?> settings, string[] arguments)
    {
        var worker = RepositoryFiles.BuiltAssembly("Backup");
        var environment = new Dictionary<string, string?>(settings)
        {
            ["ConnectionStrings__readiness"] = database,
            ["ConnectionStrings__evidence"] = storage,
            ["Backups__Container"] = container,
            ["Backups__Keep"] = "2",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        return ChildProcessResult.RunAsync("dotnet", [worker, .. arguments], RepositoryFiles.Root, environment);
    }

    /// <summary>
    /// The data section as SQL in a canonical order: each table's COPY block with its rows sorted, then every other
    /// statement (sequence values) sorted; comments and pg_dump's per-run \restrict key left out. pg_restore and
    /// pg_dump may list tables in different orders; the data must be the same.
    /// </summary>
    private static async Task<string> DataAsSqlAsync(string program, IEnumerable<string> arguments, string connectionString)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var result = await ChildProcessResult.RunAsync(program, arguments, Path.GetTempPath(), new Dictionary<string, string?>
        {
            ["PGHOST"] = target.Host,
            ["PGPORT"] = target.Port.ToString(CultureInfo.InvariantCulture),
            ["PGUSER"] = target.Username,
            ["PGPASSWORD"] = target.Password,
            ["PGDATABASE"] = target.Database,
        });
        Assert.True(result.ExitCode == 0, result.Output);
        var tables = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        var statements = new List<string>();
        List<string>? rows = null;
        foreach (var line in result.Output.Split('\n'))
        {
            if (rows is not null)
            {
                if (line == "\\.")
                {
                    rows = null;
                }
                else
                {
                    rows.Add(line);
                }
            }
            else if (line.StartsWith("COPY ", StringComparison.Ordinal))
            {
                tables[line] = rows = [];
            }
            else if (line.Length > 0 && !line.StartsWith("--", StringComparison.Ordinal) && !line.StartsWith("\\restrict", StringComparison.Ordinal) && !line.StartsWith("\\unrestrict", StringComparison.Ordinal))
            {
                statements.Add(line);
            }
        }

        return string.Join('\n', tables.SelectMany(table => (IEnumerable<string>)[table.Key, .. table.Value.Order(StringComparer.Ordinal)]).Concat(statements.Order(StringComparer.Ordinal)));
    }

    private static async Task<string> CreateDatabaseAsync(string live)
    {
        var name = $"drill_{Guid.NewGuid():N}"[..20];
        await using var connection = new NpgsqlConnection(With(live, "postgres"));
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync();
        return name;
    }

    private static async Task DropDatabaseAsync(string live, string name)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(With(live, "postgres"));
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static string With(string connectionString, string database) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Database = database }.ConnectionString;

    private static string BackupNameAt(DateTimeOffset at) => "readiness-" + at.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture) + ".dump";

    [GeneratedRegex(@"readiness-\d{8}T\d{9}Z\.dump")]
    private static partial Regex BackupName();
}
