using DepMap.Core.Statistics;

namespace DepMap.Storage.Statistics;

/// <summary>Zipkin's dependency link (parent, child, calls, errors) from the Zipkin view, in one bucket.</summary>
public sealed class ZipkinLinkRow : IBucketRow
{
    public BucketResolution Resolution { get; set; }
    public long BucketStartUnixMs { get; set; }
    public string Parent { get; set; } = "";
    public string Child { get; set; } = "";
    public long CallCount { get; set; }
    public long ErrorCount { get; set; }
}
