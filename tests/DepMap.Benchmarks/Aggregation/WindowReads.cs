using System.Diagnostics;
using DepMap.Core.Graph;
using DepMap.Core.Statistics;
using DepMap.Core.Writers;
using DepMap.Storage;
using DepMap.Storage.Statistics;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Benchmarks.Aggregation;

/// <summary>
/// After a bench's flush: the statistics read behind <c>/graph.json</c> (hour buckets for the whole
/// hours, minute buckets for the ragged ends, summed) for the first hour and the first seven days
/// of the spans, the median of five reads after one warm-up, on whichever store the options name.
/// Then, the same way, the endpoint's other steps in this process: its second read (the services'
/// reliability facts, for the health bands) and the graph built from the statistics and written as
/// JSON, so <see cref="GraphEndpointTimes"/>' figures over HTTP can be taken apart.
/// </summary>
internal static class WindowReads
{
    public static readonly IReadOnlyList<(string Label, TimeSpan Length)> Windows = [("1 h", TimeSpan.FromHours(1)), ("7 d", TimeSpan.FromDays(7))];

    /// <summary>The start of every window: a minute before the first span, as the read was timed before the endpoint was.</summary>
    public static DateTimeOffset From(long firstStartUnixNano) => FirstSpan(firstStartUnixNano).AddMinutes(-1);

    /// <summary>The end of a window: its length after the first span.</summary>
    public static DateTimeOffset To(long firstStartUnixNano, TimeSpan length) => FirstSpan(firstStartUnixNano).Add(length);

    private static DateTimeOffset FirstSpan(long firstStartUnixNano) => DateTimeOffset.FromUnixTimeMilliseconds(firstStartUnixNano / 1_000_000);

    /// <summary>
    /// The graph reads through the store (<see cref="ReportAsync"/>), then <c>/graph.json</c> from the
    /// real server with <c>Storage:Provider</c> <paramref name="provider"/> on the same database.
    /// </summary>
    public static async Task ReportWithEndpointAsync(DbContextOptions<DepMapDbContext> options, string provider, string connectionString,
        long firstStartUnixNano, int warmUpRequests)
    {
        await ReportAsync(options, firstStartUnixNano);
        await GraphEndpointTimes.ReportAsync(new Dictionary<string, string>
        {
            ["Storage:Provider"] = provider,
            ["ConnectionStrings:DepMap"] = connectionString,
        }, firstStartUnixNano, warmUpRequests);
    }

    public static async Task ReportAsync(DbContextOptions<DepMapDbContext> options, long firstStartUnixNano)
    {
        var from = From(firstStartUnixNano);
        foreach (var (label, length) in Windows)
        {
            var to = To(firstStartUnixNano, length);
            var edges = 0;
            var graphRead = await Timings.OfAsync(async () =>
            {
                await using var db = new DepMapDbContext(options);
                var watch = Stopwatch.StartNew();
                var statistics = await db.ReadGraphStatisticsAsync(from, to);
                watch.Stop();
                edges = statistics.Edges.Count;
                return watch.Elapsed;
            });
            Console.WriteLine($"graph read, {label,-4}      {graphRead} for {edges:N0} edges");
        }
        foreach (var (label, length) in Windows)
        {
            var to = To(firstStartUnixNano, length);
            var services = 0;
            var reliabilityRead = await Timings.OfAsync(async () =>
            {
                await using var db = new DepMapDbContext(options);
                var watch = Stopwatch.StartNew();
                var reliability = await db.ReadReliabilityAsync(from, to);
                watch.Stop();
                services = reliability.Services.Count;
                return watch.Elapsed;
            });
            Console.WriteLine($"reliability read, {label,-4} {reliabilityRead} for {services:N0} services");
        }
        foreach (var (label, length) in Windows)
        {
            GraphStatistics statistics;
            await using (var db = new DepMapDbContext(options))
            {
                statistics = await db.ReadGraphStatisticsAsync(from, To(firstStartUnixNano, length));
            }
            var bytes = 0;
            // In memory, from one read: ServiceGraph.From and the JSON writer, as GetGraph runs them
            // (the health bands it adds on the way are a dictionary lookup per node).
            var written = await Timings.OfAsync(() =>
            {
                var watch = Stopwatch.StartNew();
                bytes = JsonGraphWriter.WriteUtf8(ServiceGraph.From(statistics)).Length;
                watch.Stop();
                return Task.FromResult(watch.Elapsed);
            });
            Console.WriteLine($"graph + JSON, {label,-4}    {written} for {bytes:N0} bytes");
        }
        // A series (GET /services/{name}/series, /edges/{source}/{target}/series): one node's, or one
        // edge's, statistics bucket by bucket, an hour of minutes and a week of hours.
        EdgeKey busiest;
        await using (var db = new DepMapDbContext(options))
        {
            busiest = (await db.ReadGraphStatisticsAsync(from, To(firstStartUnixNano, TimeSpan.FromHours(1)))).Edges.Values.MaxBy(e => e.CallCount)!.Key;
        }
        foreach (var (label, range) in new[]
        {
            ("1 h", new BucketRange(BucketResolution.Minute, from.ToUnixTimeMilliseconds(), To(firstStartUnixNano, TimeSpan.FromHours(1)).ToUnixTimeMilliseconds())),
            ("7 d", new BucketRange(BucketResolution.Hour, from.ToUnixTimeMilliseconds(), To(firstStartUnixNano, TimeSpan.FromDays(7)).ToUnixTimeMilliseconds())),
        })
        {
            var points = 0;
            var nodeSeries = await Timings.OfAsync(async () =>
            {
                await using var db = new DepMapDbContext(options);
                var watch = Stopwatch.StartNew();
                points = (await db.ReadNodeBucketsAsync(busiest.Callee, range)).Count;
                watch.Stop();
                return watch.Elapsed;
            });
            Console.WriteLine($"node series, {label,-4}     {nodeSeries} for {points:N0} buckets");
            var edgeSeries = await Timings.OfAsync(async () =>
            {
                await using var db = new DepMapDbContext(options);
                var watch = Stopwatch.StartNew();
                points = (await db.ReadEdgeBucketsAsync(busiest.Caller, busiest.Callee, range)).Count;
                watch.Stop();
                return watch.Elapsed;
            });
            Console.WriteLine($"edge series, {label,-4}     {edgeSeries} for {points:N0} buckets");
        }
    }
}

/// <summary>One warm-up, then five timed runs: their median, min and max in milliseconds.</summary>
internal sealed class Timings
{
    private readonly List<double> _milliseconds;

    private Timings(List<double> milliseconds)
    {
        milliseconds.Sort();
        _milliseconds = milliseconds;
    }

    public double Median => _milliseconds[_milliseconds.Count / 2];

    public static async Task<Timings> OfAsync(Func<Task<TimeSpan>> run)
    {
        var times = new List<double>();
        for (var i = 0; i < 6; i++)
        {
            var elapsed = await run();
            if (i > 0)
            {
                times.Add(elapsed.TotalMilliseconds);
            }
        }
        return new Timings(times);
    }

    public static Timings Of(IEnumerable<TimeSpan> runs) => new([.. runs.Select(r => r.TotalMilliseconds)]);

    public override string ToString() => $"{Median:F1} ms median (min {_milliseconds[0]:F1}, max {_milliseconds[^1]:F1})";
}
