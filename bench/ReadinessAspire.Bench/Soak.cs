using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ReadinessAspire.Bench;

/// <summary>One 10-second slice of the soak: the load's results and each webapi replica's memory at its end.</summary>
/// <param name="ProxyFailures">The proxy's failed answers in the slice, from its access log (<see cref="ProxyFailures"/>).</param>
internal sealed record SoakSample(TimeSpan At, WrkResult Reads, WrkResult Writes, IReadOnlyList<ReplicaMemory> Replicas, string ProxyFailures);

/// <summary>A replica's RSS (this process tree, MiB) and managed heap after the last GC (its /metrics, MiB).</summary>
internal sealed record ReplicaMemory(string Replica, double RssMiB, double GcHeapMiB);

/// <summary>
/// <c>--soak DURATION</c>: a mixed load through nginx for the whole duration, in 10-second slices, each slice's reads
/// (the signed-in user's service list, <c>--connections</c> minus 8) and writes (scenario k's PATCH, 8 connections) at
/// once; after each slice every webapi replica's RSS and GC heap. It fails when any request failed, or when a replica's
/// RSS at the end is more than 10% above its RSS five minutes before (the growth over the last 5 minutes).
/// </summary>
internal static partial class Soak
{
    private static readonly TimeSpan s_slice = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_growthWindow = TimeSpan.FromMinutes(5);
    private const double MaxGrowth = 0.10;

    public static async Task<IReadOnlyList<SoakSample>> RunAsync(BenchStack stack, ProductWorkload product, TimeSpan duration, int connections, CancellationToken cancellationToken)
    {
        var writeScript = product.WritePatchScript(stack.DataDirectory);
        var readUrl = product.Url("/api/services");
        var writeUrl = product.Url(product.ReviewPath);
        await stack.PrimeAsync(readUrl, product.BearerHeader, cancellationToken);
        var samples = new List<SoakSample>();
        await using var proxyFailures = stack.FollowProxyFailures();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            var reads = WrkResult.RunAsync(readUrl, s_slice, Math.Max(connections - 8, 8), product.BearerHeader, cancellationToken);
            var writes = WrkResult.RunAsync(writeUrl, s_slice, 8, product.BearerHeader, cancellationToken, writeScript);
            await Task.WhenAll(reads, writes);
            var memory = await ReplicaMemoryAsync(stack, cancellationToken);
            // nginx writes its buffered access lines within a second (flush=1s).
            await Task.Delay(TimeSpan.FromSeconds(1.5), cancellationToken);
            var sample = new SoakSample(clock.Elapsed, await reads, await writes, memory, proxyFailures.TakeSummary());
            samples.Add(sample);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {sample.At.TotalSeconds:0} s: reads {sample.Reads.RequestsPerSecond:0} req/s p99 {sample.Reads.P99Milliseconds:0.0} ms, writes {sample.Writes.RequestsPerSecond:0} req/s p99 {sample.Writes.P99Milliseconds:0.0} ms, errors {Errors(sample)}; {string.Join(", ", sample.Replicas.Select(r => $"{r.Replica} RSS {r.RssMiB:0} MiB heap {r.GcHeapMiB:0} MiB"))}"));
        }

        return samples;
    }

    /// <summary>Why the soak failed, one line each; empty when it held.</summary>
    public static IReadOnlyList<string> Failures(IReadOnlyList<SoakSample> samples)
    {
        var failures = new List<string>();
        var errors = samples.Sum(s => s.Reads.Errors + s.Writes.Errors);
        if (errors > 0)
        {
            var slices = samples.Where(s => s.Reads.Errors + s.Writes.Errors > 0).Select(s => string.Create(CultureInfo.InvariantCulture, $"at {s.At.TotalSeconds:0} s {Errors(s)}"));
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{errors} requests failed ({string.Join("; ", slices)})"));
        }

        if (samples.Count == 0 || samples[^1].At < s_growthWindow)
        {
            return failures;
        }

        var end = samples[^1];
        // The slice that ended five minutes before the last (none when the soak was only just that long).
        if (samples.LastOrDefault(s => s.At <= end.At - s_growthWindow) is not { } start)
        {
            return failures;
        }

        foreach (var replica in end.Replicas)
        {
            if (start.Replicas.FirstOrDefault(r => r.Replica == replica.Replica) is { } before && replica.RssMiB > before.RssMiB * (1 + MaxGrowth))
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{replica.Replica}: RSS grew from {before.RssMiB:0} to {replica.RssMiB:0} MiB over the last {(end.At - start.At).TotalMinutes:0.0} minutes (more than {MaxGrowth:P0})"));
            }
        }

        return failures;
    }

    public static string Markdown(IReadOnlyList<SoakSample> samples)
    {
        var replicas = samples.SelectMany(s => s.Replicas.Select(r => r.Replica)).Distinct().Order(StringComparer.Ordinal).ToList();
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Soak: mixed reads (GET /api/services, bearer) and writes (PATCH of review items, If-Match, 8 connections) through nginx, {samples.Count} slices of {s_slice.TotalSeconds:0} s; each replica's RSS and GC heap (after the last collection) at the end of each slice:")
            .AppendLine()
            .AppendLine($"| s | reads req/s | reads p99 ms | writes req/s | writes p99 ms | errors | {string.Join(" | ", replicas.Select(r => $"{r} RSS / heap MiB"))} |")
            .AppendLine($"| ---: | ---: | ---: | ---: | ---: | ---: |{string.Concat(replicas.Select(_ => " ---: |"))}");
        foreach (var s in samples)
        {
            var memory = replicas.Select(name => s.Replicas.FirstOrDefault(r => r.Replica == name) is { } r ? string.Create(CultureInfo.InvariantCulture, $"{r.RssMiB:0} / {r.GcHeapMiB:0}") : "");
            text.AppendLine(CultureInfo.InvariantCulture, $"| {s.At.TotalSeconds:0} | {s.Reads.RequestsPerSecond:0} | {s.Reads.P99Milliseconds:0.0} | {s.Writes.RequestsPerSecond:0} | {s.Writes.P99Milliseconds:0.0} | {Errors(s)} | {string.Join(" | ", memory)} |");
        }

        var failures = Failures(samples);
        text.AppendLine().AppendLine(failures.Count == 0 ? "Soak held: no failed request, no replica's RSS grew more than 10% over the last 5 minutes." : "Soak FAILED: " + string.Join("; ", failures));
        return text.ToString();
    }

    /// <summary>A slice's failed requests, what wrk says they were and what the proxy logged: "2 (reads: timeout 2; proxy: ...)".</summary>
    private static string Errors(SoakSample sample)
    {
        var count = sample.Reads.Errors + sample.Writes.Errors;
        if (count == 0 && sample.ProxyFailures.Length == 0)
        {
            return "0";
        }

        var kinds = new[] { ("reads", sample.Reads.ErrorKinds), ("writes", sample.Writes.ErrorKinds), ("proxy", sample.ProxyFailures) }
            .Where(k => k.Item2.Length > 0)
            .Select(k => $"{k.Item1}: {k.Item2}");
        return string.Create(CultureInfo.InvariantCulture, $"{count} ({string.Join("; ", kinds)})");
    }

    private static async Task<IReadOnlyList<ReplicaMemory>> ReplicaMemoryAsync(BenchStack stack, CancellationToken cancellationToken)
    {
        var rss = stack.ReplicaRssMiB("webapi");
        var managementPorts = stack.OwnPorts("webapi", "Management__Port");
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var replicas = new List<ReplicaMemory>();
        for (var i = 0; i < Math.Min(rss.Count, managementPorts.Count); i++)
        {
            double heap;
            try
            {
                var metrics = await client.GetStringAsync(new Uri($"http://127.0.0.1:{managementPorts[i].ToString(CultureInfo.InvariantCulture)}/metrics"), cancellationToken);
                heap = HeapLine().Matches(metrics).Sum(m => double.Parse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture)) / (1024 * 1024);
            }
            catch (HttpRequestException)
            {
                heap = double.NaN;
            }

            replicas.Add(new ReplicaMemory($"webapi #{i + 1}", rss[i], heap));
        }

        return replicas;
    }

    // OpenTelemetry's runtime instrumentation: the heap size after the last collection, one line per generation.
    [GeneratedRegex(@"^dotnet_gc_last_collection_heap_size_bytes\{[^}]*\} ([0-9.eE+-]+)", RegexOptions.Multiline)]
    private static partial Regex HeapLine();
}
