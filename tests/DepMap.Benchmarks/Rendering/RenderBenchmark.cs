using System.Diagnostics;
using System.Globalization;
using DepMap.Core.Graph;
using DepMap.Core.Reliability;
using DepMap.Core.Statistics;
using DepMap.Core.Writers;
using DepMap.Rendering;
using DepMap.Server.Features.Aggregation;
using DepMap.Server.Features.Graph;
using DepMap.Server.Features.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace DepMap.Benchmarks.Rendering;

/// <summary>
/// <c>/graph.svg</c> cold and warm. Cold is what a request pays after an aggregation run changed
/// the statistics: the graph built from the window's statistics, DOT written, the real Graphviz
/// run (with the renderer's timeouts and fallbacks). Warm is what every later request pays:
/// parameters parsed and the cached bytes found through the GetGraph handler. Reading the window's
/// statistics from SQLite is not included (the aggregation's read benchmark covers it).
/// A stopwatch harness, not BenchmarkDotNet: one dot run takes up to seconds.
/// </summary>
internal static class RenderBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var sizes = Option(args, "--sizes", "50,500,2000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var topologies = Option(args, "--topology", "layered,ring").Split(',');
        var runs = int.Parse(Option(args, "--runs", "3"), CultureInfo.InvariantCulture);
        if (Option(args, "--dump", "") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            foreach (var size in sizes)
            {
                await File.WriteAllTextAsync(Path.Combine(folder, $"layered-{size}.dot"), DotWriter.Write(ServiceGraph.From(SyntheticGraphs.Layered(size, seed: 7))));
                await File.WriteAllTextAsync(Path.Combine(folder, $"ring-{size}.dot"), DotWriter.Write(ServiceGraph.From(SyntheticGraphs.Ring(size, seed: 7))));
            }
            return;
        }
        // `--nslimit off` measures dot as it was before its placement was capped.
        var nsLimit = Option(args, "--nslimit", "");
        var renderer = new GraphvizRenderer(nsLimit switch
        {
            "" => new GraphvizOptions(),
            "off" => new GraphvizOptions { DotNsLimit = null },
            _ => new GraphvizOptions { DotNsLimit = double.Parse(nsLimit, CultureInfo.InvariantCulture) },
        });

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, {DotVersion()}, dot nslimit {(nsLimit.Length == 0 ? "default" : nsLimit)}");
        // The first render also pays the JIT of the process and async code; later ones are dot's start alone.
        var empties = new List<TimeSpan>();
        for (var i = 0; i < 4; i++)
        {
            var empty = Stopwatch.StartNew();
            await renderer.RenderSvgAsync(ServiceGraph.From(new GraphStatistics()));
            empties.Add(empty.Elapsed);
        }
        Console.WriteLine($"dot on an empty graph: first {Ms(empties[0])} (JIT included), then {string.Join(", ", empties.Skip(1).Select(Ms))} (process start, fixed cost)");

        foreach (var topology in topologies)
        {
            foreach (var size in sizes)
            {
                // Other builds share the machine; the load before each size says how far to trust it.
                Console.WriteLine($"load average {LoadAverage()}");
                var statistics = topology == "ring" ? SyntheticGraphs.Ring(size, seed: 7) : SyntheticGraphs.Layered(size, seed: 7);
                var samples = new List<(TimeSpan Graph, TimeSpan Dot, TimeSpan Render, TimeSpan Total, GraphLayout Layout)>();
                var nodes = 0;
                var edges = 0;
                for (var run = 0; run < runs; run++)
                {
                    var clock = Stopwatch.StartNew();
                    var graph = ServiceGraph.From(statistics);
                    ColourByHealth(graph);
                    var built = clock.Elapsed;
                    _ = DotWriter.Write(graph);
                    var written = clock.Elapsed;
                    var svg = await renderer.RenderSvgAsync(graph);
                    var total = clock.Elapsed;
                    samples.Add((built, written - built, total - written, total, svg.Layout));
                    (nodes, edges) = (graph.Nodes.Count, graph.Edges.Count);
                }
                var median = samples.OrderBy(s => s.Total).ElementAt(samples.Count / 2);
                Console.WriteLine(
                    $"cold {topology,-7} {size,5} services ({nodes} nodes, {edges} edges): median {Ms(median.Total)} of {runs} "
                    + $"[graph {Ms(median.Graph)}, DOT {Ms(median.Dot)}, Graphviz {Ms(median.Render)} ({median.Layout})]; "
                    + $"all: {string.Join(", ", samples.Select(s => Ms(s.Total)))}");
                if (size == 500 || sizes.Length == 1)
                {
                    await WarmAsync(topology, size, statistics, renderer);
                }
            }
        }
    }

    private static async Task WarmAsync(string topology, int size, GraphStatistics statistics, GraphvizRenderer renderer)
    {
        var services = new ServiceCollection().BuildServiceProvider();
        var cache = new QueryCache(Options.Create(new GraphOptions()));
        var progress = new AggregationProgress();
        var windows = new StatisticsWindows(cache, progress, services.GetRequiredService<IServiceScopeFactory>(), Options.Create(new RankingOptions()), Options.Create(new GraphOptions()));
        var handler = new GetGraphHandler(windows, cache, renderer, new DepMapMetrics(Prometheus.Metrics.NewCustomRegistry()));
        var query = new QueryCollection(new Dictionary<string, StringValues>());

        // The bytes the first request after a run draws, put where that request leaves them.
        var now = DateTimeOffset.UtcNow;
        var request = new GetGraph(GraphQuery.Read(new QueryParameters(query), now)!, GraphFormat.Svg);
        var graph = ServiceGraph.From(statistics);
        var svg = await renderer.RenderSvgAsync(graph);
        await cache.GetOrCreateAsync(GetGraphHandler.Key(progress.Version, request),
            () => Task.FromResult(new GraphDocument(System.Text.Encoding.UTF8.GetBytes(svg.Svg), GraphFormat.Svg, svg.Layout)),
            d => d.Body.Length, CancellationToken.None);

        const int Requests = 2000;
        var times = new double[Requests];
        long bytes = 0;
        for (var i = 0; i < Requests; i++)
        {
            var clock = Stopwatch.StartNew();
            var parsed = GraphQuery.Read(new QueryParameters(query), now)!;
            var document = await handler.Handle(new GetGraph(parsed, GraphFormat.Svg), CancellationToken.None);
            times[i] = clock.Elapsed.TotalMilliseconds;
            bytes = document.Body.Length;
        }
        Array.Sort(times);
        Console.WriteLine(
            $"warm {topology,-7} {size,5} services: {Requests} requests, p50 {times[Requests / 2]:0.000} ms, "
            + $"p99 {times[Requests * 99 / 100]:0.000} ms, max {times[^1]:0.000} ms ({bytes / 1024} KiB SVG)");
        cache.Dispose();
        progress.Dispose();
    }

    // Health fills every node, as on a real graph, so the measured DOT carries the colours.
    private static void ColourByHealth(ServiceGraph graph)
    {
        for (var i = 0; i < graph.Nodes.Count; i++)
        {
            graph.Nodes[i].Health = (NodeHealth)(i % 10 == 0 ? 2 : i % 5 == 0 ? 1 : 0);
        }
    }

    private static string DotVersion()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("dot", "-V") { RedirectStandardError = true })!;
            var version = process.StandardError.ReadToEnd().Trim();
            process.WaitForExit();
            return version;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "dot not found";
        }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string Option(string[] args, string name, string fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }

    private static string Ms(TimeSpan span) => span.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";
}
