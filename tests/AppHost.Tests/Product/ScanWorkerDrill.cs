using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AppHost.Tests.Product;

/// <summary>The scan queue is durable: a scan whose worker is killed mid-scan completes once a replica is back.</summary>
[Collection(StackTestGroup.Name)]
public sealed class ScanWorkerDrill(StackFixture stack, ITestOutputHelper output)
{
    [Fact]
    public async Task A_scan_running_when_every_replica_is_killed_completes_after_they_restart()
    {
        var app = stack.App;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var states = await Drills.WatchWebApiAsync(app, timeout.Token);
        // The page takes 5 s: long enough to kill the worker in the middle of the scan, short of the request timeout.
        await using var slow = await CarelessSite.StartAsync(slowPageDelay: TimeSpan.FromSeconds(5));
        using var user = await ProductUser.SignUpAsync(stack, "drill-scan");
        var teamId = (await user.CreateTeamAsync())["id"]!.GetValue<string>();
        var service = await user.CreateServiceAsync(teamId);
        var scans = $"/api/services/{service["id"]}/scans";
        var scanId = (await ScanTests.QueueAsync(user, scans, new { url = slow.Url.AbsoluteUri }))["id"]!.GetValue<long>();

        while ((await user.ExpectAsync(System.Net.HttpStatusCode.OK, HttpMethod.Get, $"{scans}/{scanId}"))!["scan"]!["status"]!.GetValue<string>() != "Running")
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), timeout.Token);
        }

        var replicas = states.Instances("webapi");
        foreach (var replica in replicas)
        {
            var appPid = replica.AppProcessId();
            output.WriteLine($"scan {scanId} running: killing {replica.ResourceId}'s app process {appPid} with SIGKILL");
            Drills.Kill(appPid);
        }

        foreach (var replica in replicas)
        {
            var outcome = await states.WaitAsync(
                replica.ResourceId,
                e => e.Snapshot.State?.Text == KnownResourceStates.FailedToStart || (e.Snapshot.State?.Text == KnownResourceStates.Running && Drills.Pid(e) is int pid && pid != Drills.Pid(replica)),
                timeout.Token);
            Assert.Equal(KnownResourceStates.Running, outcome.Snapshot.State?.Text);
        }

        // Through the proxy again once a replica answers; the lapsed lease hands the scan to a new worker.
        await Drills.WaitForProxyReadyAsync(app, timeout.Token);

        var done = await ScanTests.WaitForScanAsync(user, $"{scans}/{scanId}");
        var attempts = done["scan"]!["attempts"]!.GetValue<int>();
        output.WriteLine($"scan {scanId} completed after {attempts.ToString(CultureInfo.InvariantCulture)} attempts, grade {done["scan"]!["grade"]}");
        Assert.True(attempts >= 2, $"the scan completed in {attempts} attempt(s): the kill did not interrupt it");
        Assert.NotNull(done["report"]);
    }
}
