using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace ReadinessAspire.Bench;

/// <summary>What the scan workers sustain: scans finished per minute, the median scan, and how many failed.</summary>
internal sealed record ScanThroughputResult(int Scans, TimeSpan Elapsed, double MedianScanSeconds, int Failed, string? FirstError)
{
    public double ScansPerMinute => Scans / Elapsed.TotalMinutes;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Scans} scans of the stack itself through nginx in {Elapsed.TotalSeconds:0.0} s: {ScansPerMinute:0} scans/min (every webapi replica's workers), median scan {MedianScanSeconds:0.00} s, {Failed} failed{(FirstError is null ? "" : $" (first: {FirstError})")}");
}

/// <summary>
/// Queues <c>scans</c> scans through the API at once, each of a distinct target (the stack's own proxy with a query
/// string, so none is de-duplicated), and times them from the first queued to the last finished.
/// </summary>
internal static class ScanThroughput
{
    public static async Task<ScanThroughputResult> MeasureAsync(BenchStack stack, ProductWorkload product, int scans, CancellationToken cancellationToken)
    {
        using var client = HttpProbe.CreateClient(Path.Combine(stack.CertificateDirectory, "ca.crt"));
        client.BaseAddress = new Uri(product.Url("/"));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", product.Token);
        var scansPath = product.ServicePath + "/scans";
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < scans; i++)
        {
            using var response = await client.PostAsJsonAsync(scansPath, new { url = product.Url($"/?bench-scan={i}") }, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"POST {scansPath} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }
        }

        while (true)
        {
            var page = (await client.GetFromJsonAsync<JsonObject>($"{scansPath}?pageSize=100", cancellationToken))!;
            var items = page["items"]!.AsArray().Select(scan => scan!).ToList();
            var finished = items.Where(scan => scan["status"]!.GetValue<string>() is "Completed" or "Failed").ToList();
            if (finished.Count >= scans)
            {
                var elapsed = Stopwatch.GetElapsedTime(started);
                var durations = finished
                    .Where(scan => scan["startedAt"] is not null && scan["finishedAt"] is not null)
                    .Select(scan => (scan["finishedAt"]!.GetValue<DateTimeOffset>() - scan["startedAt"]!.GetValue<DateTimeOffset>()).TotalSeconds)
                    .Order()
                    .ToList();
                return new ScanThroughputResult(scans, elapsed, durations.Count == 0 ? 0 : durations[durations.Count / 2],
                    finished.Count(scan => scan["status"]!.GetValue<string>() == "Failed"),
                    finished.Select(scan => scan["error"]?.GetValue<string>()).FirstOrDefault(error => error is not null));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }
}
