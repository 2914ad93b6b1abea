using DepMap.Core.Linking;
using DepMap.Core.Statistics;
using DepMap.Storage;

namespace DepMap.Server.Features.Graph;

/// <summary>
/// Every read of a window's graph goes through here. The aggregation always links with the
/// linker's default entry node and the configured name (or none) is applied on the way out, so
/// changing <c>Graph:EntryNodeName</c> takes effect at once, for old windows too, and a late span's
/// re-link still subtracts exactly what was added.
/// </summary>
internal static class GraphReads
{
    public static async Task<GraphStatistics> ReadGraphAsync(
        this DepMapDbContext db, GraphOptions options, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var statistics = await db.ReadGraphStatisticsAsync(from, to, cancellationToken);
        return statistics.WithEntryNode(options.EntryNode, LinkerOptions.DepMap.EntryNodeName ?? "user");
    }
}
