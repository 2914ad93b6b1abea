using DepMap.Core.Statistics;

namespace DepMap.Storage.Statistics;

/// <summary>
/// One edge in one bucket. The counts are copied out of the blob so a window's totals could be
/// summed in SQL; the blob (<see cref="EdgeStatistics.Serialize"/>) holds everything, sketches included.
/// </summary>
public sealed class EdgeStatisticsRow : IBucketRow
{
    public BucketResolution Resolution { get; set; }
    public long BucketStartUnixMs { get; set; }
    public string Caller { get; set; } = "";
    public string Callee { get; set; } = "";
    public byte ConnectionType { get; set; }
    public long CallCount { get; set; }
    public long ErrorCount { get; set; }
    public byte[] Blob { get; set; } = [];

    public EdgeStatistics ToStatistics() => EdgeStatistics.Deserialize(Blob);

    /// <summary>Copies <paramref name="edge"/> into this row (key columns included).</summary>
    public void Set(EdgeStatistics edge)
    {
        Caller = edge.Key.Caller;
        Callee = edge.Key.Callee;
        ConnectionType = (byte)edge.Key.ConnectionType;
        CallCount = edge.CallCount;
        ErrorCount = edge.ErrorCount;
        Blob = edge.Serialize();
    }
}
