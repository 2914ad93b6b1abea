using System.Diagnostics;
using System.Globalization;

namespace DepMap.LoadTest;

/// <summary>
/// What the server and the generator have spent up to a moment: CPU time (from /proc), the
/// generator's own collections, and the server's from its <c>/metrics</c> (prometheus-net's
/// <c>dotnet_collection_count_total</c>). Two readings bound the measured window, so a warm-up's
/// JIT and pool growth stay out of the per-span figures.
/// </summary>
internal sealed record RunCounters(TimeSpan? ServerCpu, TimeSpan GeneratorCpu, int[] GeneratorCollections, double[]? ServerCollections)
{
    private static readonly HttpClient Metrics = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>Reads the counters after <paramref name="delay"/>.</summary>
    public static async Task<RunCounters> TakeAsync(Args options, TimeSpan delay)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay);
        }
        var serverCpu = options.ServerPid is { } pid ? ServerMemory.CpuTime(pid) : null;
        var generator = Process.GetCurrentProcess().TotalProcessorTime;
        int[] collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        return new RunCounters(serverCpu, generator, collections, options.ServerPid is null ? null : await ServerCollectionsAsync(options.Url));
    }

    /// <summary>Prints CPU per accepted span and per refusal, and collections, between two readings.</summary>
    public static void PrintDifference(RunCounters start, RunCounters end, double seconds, long ackedSpans, long refused)
    {
        var generator = (end.GeneratorCpu - start.GeneratorCpu).TotalSeconds;
        var line = $"cores used: load generator {generator / seconds:F2}";
        if (start.ServerCpu is { } before && end.ServerCpu is { } after)
        {
            var server = (after - before).TotalSeconds;
            line += $", server {server / seconds:F2} of {Environment.ProcessorCount}; server CPU " +
                (ackedSpans > 0 ? $"{server * 1e6 / ackedSpans:F1} µs per accepted span" : "with no span accepted") +
                $" ({server:F1} s for {ackedSpans:N0} spans and {refused:N0} refusals)";
        }
        Console.WriteLine(line);
        var generatorGc = string.Join(" / ", end.GeneratorCollections.Zip(start.GeneratorCollections, (a, b) => a - b));
        var serverGc = start.ServerCollections is { } s && end.ServerCollections is { } e
            ? string.Join(" / ", e.Zip(s, (a, b) => (a - b).ToString("0", CultureInfo.InvariantCulture)))
            : "not read";
        Console.WriteLine($"collections gen0 / gen1 / gen2 in the measured window: server {serverGc}, load generator {generatorGc}");
    }

    // The server's /metrics is on the ingest URL's host and port when the bench serves everything on one port.
    private static async Task<double[]?> ServerCollectionsAsync(Uri url)
    {
        try
        {
            var text = await Metrics.GetStringAsync(new Uri(url, "/metrics"));
            var counts = new double[3];
            foreach (var line in text.Split('\n'))
            {
                for (var generation = 0; generation < 3; generation++)
                {
                    var prefix = $"dotnet_collection_count_total{{generation=\"{generation}\"}} ";
                    if (line.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        counts[generation] = double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
                    }
                }
            }
            return counts;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }
}
