using System.Text;
using DepMap.Core.Statistics;
using DepMap.Storage;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Server.Tests.Aggregation;

/// <summary>
/// Every statistics row of a database, every column, blobs in hex, in key order: two databases
/// whose snapshots are equal hold byte-identical statistics in every minute and hour bucket.
/// </summary>
internal static class StatisticsSnapshot
{
    public static async Task<string> TakeAsync(AggregationFactory factory) => await factory.WithDbAsync(TakeAsync);

    public static async Task<string> TakeAsync(DepMapDbContext db)
    {
        var text = new StringBuilder();
        foreach (var g in await db.GraphBuckets.AsNoTracking().ToListAsync())
        {
            // A pack's entries come in no particular order: one line each, sorted below.
            foreach (var e in StatisticsPack.ReadEdges(g.Edges))
            {
                text.Append($"edge {g.Resolution} {g.BucketStartUnixMs} {e.Key.Caller} {e.Key.Callee} {e.Key.ConnectionType} {e.CallCount} {e.ErrorCount} {Convert.ToHexString(e.Serialize())}\n");
            }
            foreach (var n in StatisticsPack.ReadNodes(g.Nodes))
            {
                text.Append($"node {g.Resolution} {g.BucketStartUnixMs} {n.Name} {n.RequestsServed} {n.ErrorCount} {n.CallsMade} {Convert.ToHexString(n.Serialize())}\n");
            }
        }
        foreach (var p in await db.ZipkinLinkPacks.AsNoTracking().ToListAsync())
        {
            var links = new Dictionary<(string Parent, string Child), (long Calls, long Errors)>();
            StatisticsPack.AddLinks(p.Links, links);
            foreach (var ((parent, child), (calls, errors)) in links)
            {
                text.Append($"link {p.Resolution} {p.BucketStartUnixMs} {parent} {child} {calls} {errors}\n");
            }
        }
        foreach (var r in await db.ReliabilityStatistics.AsNoTracking().ToListAsync())
        {
            text.Append($"reliability {r.Resolution} {r.BucketStartUnixMs} {r.Traces} {Convert.ToHexString(r.Blob)}\n");
        }
        var lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Array.Sort(lines, StringComparer.Ordinal);
        return string.Join('\n', lines);
    }
}
