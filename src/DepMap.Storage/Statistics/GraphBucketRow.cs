using DepMap.Core.Statistics;

namespace DepMap.Storage.Statistics;

/// <summary>
/// Every edge and every node of one bucket, each blob a <see cref="StatisticsPack"/>: a bucket is
/// read whole by every reader (a window's graph, the aggregation adding to it), and a row an edge
/// made a rebuild's upserts a quarter of its CPU.
/// </summary>
public sealed class GraphBucketRow : IBucketRow
{
    public const string Table = "graph_stats";

    public BucketResolution Resolution { get; set; }
    public long BucketStartUnixMs { get; set; }
    public byte[] Edges { get; set; } = [];
    public byte[] Nodes { get; set; } = [];
}
