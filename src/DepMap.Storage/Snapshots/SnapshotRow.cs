namespace DepMap.Storage.Snapshots;

/// <summary>
/// One architecture snapshot, written once and never updated: the snapshot JSON (the graph with
/// all its statistics, docs/snapshots.md) and what the list needs without opening it. Times are
/// Unix milliseconds; <see cref="FileStem"/> names its files under the snapshot directory.
/// </summary>
public sealed class SnapshotRow
{
    public long Id { get; set; }
    public long TakenAtUnixMs { get; set; }
    public long FromUnixMs { get; set; }
    public long ToUnixMs { get; set; }
    public string? Label { get; set; }
    public required string TopologyHash { get; set; }
    public required string ContentHash { get; set; }

    /// <summary>The previous snapshot had the same nodes and edges: its pictures still hold, only statistics were written.</summary>
    public bool SameTopologyAsPrevious { get; set; }

    public required string FileStem { get; set; }
    public int NodeCount { get; set; }
    public int EdgeCount { get; set; }
    public required byte[] Body { get; set; }
}
