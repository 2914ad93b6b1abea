using DepMap.Core.Snapshots;

namespace DepMap.Core.Diff;

/// <summary>Where one side of a diff came from, for reports: a file, a URL or a snapshot id, with the snapshot's label and hashes.</summary>
public sealed record DiffSource(string? Name, string? Label = null, string? TopologyHash = null, string? ContentHash = null)
{
    public static DiffSource Of(Snapshot snapshot, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return new DiffSource(name, snapshot.Label, snapshot.TopologyHash, snapshot.ContentHash);
    }
}
