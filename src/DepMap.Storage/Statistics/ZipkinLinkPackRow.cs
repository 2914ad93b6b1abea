using DepMap.Core.Statistics;

namespace DepMap.Storage.Statistics;

/// <summary>
/// Zipkin's dependency links (parent, child, calls, errors) of one bucket, from the Zipkin view, as
/// one pack (<see cref="StatisticsPack.WriteLinks"/>): a row a link made a rebuild write 2.8 million
/// rows, whose upserts were the largest part of its commits (docs/benchmarks.md, "Zipkin's links in
/// one row a bucket").
/// </summary>
public sealed class ZipkinLinkPackRow : IBucketRow
{
    public const string Table = "zipkin_link_packs";

    public BucketResolution Resolution { get; set; }
    public long BucketStartUnixMs { get; set; }
    public byte[] Links { get; set; } = [];
}
