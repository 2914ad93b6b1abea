using DepMap.Core.Statistics;

namespace DepMap.Storage.Statistics;

/// <summary>One node in one bucket; the blob is <see cref="NodeStatistics.Serialize"/>.</summary>
public sealed class NodeStatisticsRow : IBucketRow
{
    public BucketResolution Resolution { get; set; }
    public long BucketStartUnixMs { get; set; }
    public string Name { get; set; } = "";
    public long RequestsServed { get; set; }
    public long ErrorCount { get; set; }
    public long CallsMade { get; set; }
    public byte[] Blob { get; set; } = [];

    public NodeStatistics ToStatistics() => NodeStatistics.Deserialize(Blob);

    public void Set(NodeStatistics node)
    {
        Name = node.Name;
        RequestsServed = node.RequestsServed;
        ErrorCount = node.ErrorCount;
        CallsMade = node.CallsMade;
        Blob = node.Serialize();
    }
}
