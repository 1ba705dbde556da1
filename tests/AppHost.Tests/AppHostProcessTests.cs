using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace AppHost.Tests;

/// <summary>The AppHost as a program: signals, leftovers of a killed run, and data kept across runs.</summary>
public sealed class AppHostProcessTests : IDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromMinutes(2);
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "readinessaspire-tests", Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task A_killed_AppHost_leaves_children_that_the_next_start_cleans_up_and_data_survives_restarts()
    {
        // First run: everything healthy, then a marker row written straight into the database.
        int[] firstPids;
        string firstPassword;
        string firstChecklists;
        using (var first = AppHostProcess.Start(_dataDirectory))
        {
            var resources = await first.WaitUntilHealthyAsync(s_startTimeout);
            firstPids = AllPids(resources);
            firstPassword = PostgresPassword();
            Assert.True(firstPassword.Length >= 22);
            firstChecklists = await ChecklistsAsync(resources);
            await ExecuteAsync(resources, "CREATE TABLE drill_marker (note text); INSERT INTO drill_marker VALUES ('kept')");

            // SIGKILL gives the AppHost no chance to stop its children: they are still running afterwards.
            first.Signal(9);
            Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(10)));
            Assert.Contains(firstPids, AppHostProcess.IsAlive);
        }

        // Second run: the leftovers are stopped, the same password and rows are there.
        using var second = AppHostProcess.Start(_dataDirectory);
        var secondResources = await second.WaitUntilHealthyAsync(s_startTimeout);
        Assert.DoesNotContain(firstPids, AppHostProcess.IsAlive);
        Assert.Equal(firstPassword, PostgresPassword());
        Assert.Equal("kept", await ScalarAsync(secondResources, "SELECT note FROM drill_marker"));
        Assert.Equal(firstChecklists, await ChecklistsAsync(secondResources));

        // SIGTERM (as Ctrl+C or a service manager sends) under load stops everything and leaves no process behind.
        var secondPids = AllPids(secondResources);
        await using (var load = new LoadLoop(() => new HttpClient { BaseAddress = new Uri(WebApiUrl(secondResources)) }, "/api/checklists", concurrency: 4))
        {
            await Task.Delay(500);
            second.Signal(15);
            Assert.True(await second.WaitForExitAsync(TimeSpan.FromSeconds(10)), second.Output);
            Assert.Contains(load.Answers, a => a.Status == 200);
        }

        Assert.DoesNotContain(secondPids, AppHostProcess.IsAlive);

        // Third run: the data survived the stop under load.
        using var third = AppHostProcess.Start(_dataDirectory);
        var thirdResources = await third.WaitUntilHealthyAsync(s_startTimeout);
        Assert.Equal("kept", await ScalarAsync(thirdResources, "SELECT note FROM drill_marker"));
        Assert.Equal(firstChecklists, await ChecklistsAsync(thirdResources));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private static int[] AllPids(JsonElement[] resources) =>
        [.. resources.SelectMany(r => r.GetProperty("pids").EnumerateArray().Select(p => p.GetInt32()))];

    private static string WebApiUrl(JsonElement[] resources) =>
        resources.Single(r => r.GetProperty("name").GetString() == "webapi").GetProperty("urls")[0].GetString()!;

    private static async Task<string> ChecklistsAsync(JsonElement[] resources)
    {
        using var client = new HttpClient();
        return await client.GetStringAsync($"{WebApiUrl(resources)}/api/checklists");
    }

    private string PostgresPassword() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(_dataDirectory, "secrets.json")))!["Parameters:postgres-password"]!.GetValue<string>();

    private string ConnectionString(JsonElement[] resources)
    {
        var url = new Uri(resources.Single(r => r.GetProperty("name").GetString() == "postgres").GetProperty("urls")[0].GetString()!);
        return $"Host=127.0.0.1;Port={url.Port};Username=postgres;Password={PostgresPassword()};Database=readiness;Pooling=false";
    }

    private async Task ExecuteAsync(JsonElement[] resources, string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(resources));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<object?> ScalarAsync(JsonElement[] resources, string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(resources));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
