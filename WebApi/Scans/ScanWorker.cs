using Microsoft.Extensions.Options;
using Scanner;

namespace WebApi.Scans;

/// <summary>
/// Runs queued scans on every replica, <see cref="ScanOptions.WorkerConcurrency"/> at a time. A hosted service rather
/// than a project of its own: a scan's result is written into the product's model (reviews, audit) in one transaction,
/// and the queue's <c>SKIP LOCKED</c> claims let every replica work without a leader.
/// </summary>
public sealed partial class ScanWorker(
    ScanQueue queue,
    SiteScanner scanner,
    ScanResults results,
    IOptions<ScanOptions> options,
    ILogger<ScanWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Math.Max(0, options.Value.WorkerConcurrency)).Select(_ => WorkAsync(stoppingToken)));

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        // Let the host finish starting, then the replica and the deployment for the start delay, before the first claim.
        await Task.Yield();
        await WaitForWorkAsync(options.Value.StartDelay, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            Scan? scan;
            try
            {
                scan = await queue.ClaimAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The database is away: keep polling, it comes back.
                LogClaimFailed(exception);
                scan = null;
            }

            if (scan is null)
            {
                await WaitForWorkAsync(options.Value.PollInterval, stoppingToken);
                continue;
            }

            try
            {
                await RunAsync(scan, stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The database went away while the result was written: the worker lives on, and the claim it could not
                // give up lapses with the lease, so a worker runs the scan again once the database is back.
                LogResultNotWritten(exception, scan.Id);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception exception)
            {
                LogResultNotWritten(exception, scan.Id);
                return;
            }
        }
    }

    /// <summary>Waits until a scan is queued on this replica or <paramref name="timeout"/> passes.</summary>
    private async Task WaitForWorkAsync(TimeSpan timeout, CancellationToken stoppingToken)
    {
        using var poll = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        poll.CancelAfter(timeout);
        try
        {
            if (await queue.Signals.WaitToReadAsync(poll.Token))
            {
                queue.Signals.TryRead(out _);
            }
        }
        catch (OperationCanceledException)
        {
            // The time passed (or the host is stopping, which the loop sees).
        }
    }

    private async Task RunAsync(Scan scan, CancellationToken stoppingToken)
    {
        var claimToken = scan.ClaimToken!.Value;
        if (scan.Attempts > options.Value.MaxAttempts)
        {
            await results.FailAsync(scan, claimToken, $"The scan lost its worker {scan.Attempts - 1} times; it was given up.", stoppingToken);
            return;
        }

        ScanReport report;
        using (var lease = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
        {
            var renewing = RenewLeaseAsync(scan, claimToken, lease);
            try
            {
                LogScanning(scan.Id, scan.TargetUrl, scan.Attempts);
                report = await scanner.ScanAsync(new ScanTarget(new Uri(scan.TargetUrl), scan.Profile), lease.Token);
            }
            catch (Exception exception) when (exception is TargetRefusedException or ScanFailedException)
            {
                await results.FailAsync(scan, claimToken, exception.Message, stoppingToken);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // This replica is stopping: hand the scan back so another worker runs it now rather than after the lease.
                await queue.ReleaseAsync(scan.Id, claimToken, CancellationToken.None);
                return;
            }
            catch (OperationCanceledException) when (lease.IsCancellationRequested)
            {
                LogLeaseLost(scan.Id);
                return;
            }
            catch (Exception exception)
            {
                LogScanCrashed(exception, scan.Id);
                await results.FailAsync(scan, claimToken, "The scanner failed unexpectedly; the error is in the service's log.", CancellationToken.None);
                return;
            }
            finally
            {
                await lease.CancelAsync();
                await renewing;
            }
        }

        // Outside the scanner's catches: a write that fails here is not the scanner failing, and is no reason to mark
        // the scan failed.
        await results.CompleteAsync(scan, claimToken, report, stoppingToken);
    }

    /// <summary>Renews the claim at a third of the lease; cancels the scan when the claim was lost.</summary>
    private async Task RenewLeaseAsync(Scan scan, Guid claimToken, CancellationTokenSource lease)
    {
        using var timer = new PeriodicTimer(options.Value.Lease / 3);
        try
        {
            while (await timer.WaitForNextTickAsync(lease.Token))
            {
                if (!await queue.RenewAsync(scan.Id, claimToken, lease.Token))
                {
                    await lease.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The scan finished.
        }
        catch (Exception exception)
        {
            // A renewal that cannot reach the database leaves the lease to lapse; the scan goes on and its write decides.
            LogRenewFailed(exception, scan.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Scanning {TargetUrl} (scan {ScanId}, attempt {Attempt})")]
    private partial void LogScanning(long scanId, string targetUrl, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not claim a scan")]
    private partial void LogClaimFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scan {ScanId} was taken over by another worker; this one stopped")]
    private partial void LogLeaseLost(long scanId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew the lease of scan {ScanId}")]
    private partial void LogRenewFailed(Exception exception, long scanId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The result of scan {ScanId} could not be written; the scan runs again once its lease lapses")]
    private partial void LogResultNotWritten(Exception exception, long scanId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Scan {ScanId} failed unexpectedly")]
    private partial void LogScanCrashed(Exception exception, long scanId);
}
