using DepMap.Core.Reliability;
using DepMap.Core.Statistics;

namespace DepMap.Storage.Statistics;

/// <summary>
/// The reliability facts of the traces that started in one bucket; the blob is
/// <see cref="ReliabilityStatistics.ToBytes"/>.
/// </summary>
public sealed class ReliabilityStatisticsRow : IBucketRow
{
    public BucketResolution Resolution { get; set; }
    public long BucketStartUnixMs { get; set; }
    public long Traces { get; set; }
    public byte[] Blob { get; set; } = [];

    public ReliabilityStatistics ToStatistics() => ReliabilityStatistics.FromBytes(Blob);
}
