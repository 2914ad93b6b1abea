using DepMap.Core.Statistics;

namespace DepMap.Storage.Statistics;

/// <summary>What every statistics row is keyed by first.</summary>
public interface IBucketRow
{
    BucketResolution Resolution { get; }
    long BucketStartUnixMs { get; }
}
