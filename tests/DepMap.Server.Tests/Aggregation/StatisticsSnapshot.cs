using System.Text;
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
        foreach (var e in await db.EdgeStatistics.AsNoTracking().ToListAsync())
        {
            text.Append($"edge {e.Resolution} {e.BucketStartUnixMs} {e.Caller} {e.Callee} {e.ConnectionType} {e.CallCount} {e.ErrorCount} {Convert.ToHexString(e.Blob)}\n");
        }
        foreach (var n in await db.NodeStatistics.AsNoTracking().ToListAsync())
        {
            text.Append($"node {n.Resolution} {n.BucketStartUnixMs} {n.Name} {n.RequestsServed} {n.ErrorCount} {n.CallsMade} {Convert.ToHexString(n.Blob)}\n");
        }
        foreach (var l in await db.ZipkinLinks.AsNoTracking().ToListAsync())
        {
            text.Append($"link {l.Resolution} {l.BucketStartUnixMs} {l.Parent} {l.Child} {l.CallCount} {l.ErrorCount}\n");
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
