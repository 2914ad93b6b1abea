using System.Diagnostics;
using DepMap.Storage;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Benchmarks.Aggregation;

/// <summary>
/// After a bench's flush: the statistics read behind <c>/graph.json</c> (hour buckets for the whole
/// hours, minute buckets for the ragged ends, summed) for the first hour and the first seven days
/// of the spans, the median of five reads after one warm-up, on whichever store the options name.
/// </summary>
internal static class WindowReads
{
    public static async Task ReportAsync(DbContextOptions<DepMapDbContext> options, long firstStartUnixNano)
    {
        var from = DateTimeOffset.FromUnixTimeMilliseconds(firstStartUnixNano / 1_000_000);
        foreach (var (label, length) in ((string, TimeSpan)[])[("1 h", TimeSpan.FromHours(1)), ("7 d", TimeSpan.FromDays(7))])
        {
            var times = new List<double>();
            var edges = 0;
            for (var i = 0; i < 6; i++)
            {
                await using var db = new DepMapDbContext(options);
                var watch = Stopwatch.StartNew();
                var statistics = await db.ReadGraphStatisticsAsync(from.AddMinutes(-1), from.Add(length));
                watch.Stop();
                edges = statistics.Edges.Count;
                if (i > 0)
                {
                    times.Add(watch.Elapsed.TotalMilliseconds);
                }
            }
            times.Sort();
            Console.WriteLine($"graph read, {label,-4}      {times[times.Count / 2]:F1} ms median (min {times[0]:F1}, max {times[^1]:F1}) for {edges:N0} edges");
        }
    }
}
