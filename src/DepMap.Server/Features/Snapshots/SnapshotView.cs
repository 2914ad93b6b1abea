using DepMap.Server.Features.Graph;
using DepMap.Storage.Snapshots;

namespace DepMap.Server.Features.Snapshots;

/// <summary>A snapshot as the API shows it: what it covers, its hashes and where its files are.</summary>
internal sealed record SnapshotView(
    long Id,
    string? Label,
    string From,
    string To,
    string TakenAt,
    double WindowSeconds,
    string TopologyHash,
    string ContentHash,
    bool SameTopologyAsPrevious,
    int Nodes,
    int Edges,
    string FileStem,
    IReadOnlyDictionary<string, string> Links)
{
    public static SnapshotView Of(SnapshotRow row) => new(
        row.Id,
        row.Label,
        Time(row.FromUnixMs),
        Time(row.ToUnixMs),
        Time(row.TakenAtUnixMs),
        (row.ToUnixMs - row.FromUnixMs) / 1000.0,
        row.TopologyHash,
        row.ContentHash,
        row.SameTopologyAsPrevious,
        row.NodeCount,
        row.EdgeCount,
        row.FileStem,
        new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["self"] = $"/snapshots/{row.Id}",
            ["json"] = $"/snapshots/{row.Id}.json",
            ["dot"] = $"/snapshots/{row.Id}.dot",
            ["svg"] = $"/snapshots/{row.Id}.svg",
            ["mmd"] = $"/snapshots/{row.Id}.mmd",
        });

    public static string Time(long unixMs) => QueryWindow.Iso(DateTimeOffset.FromUnixTimeMilliseconds(unixMs));
}

/// <summary>A page of snapshots, newest first.</summary>
internal sealed record SnapshotPage(int Page, int PageSize, int Total, IReadOnlyList<SnapshotView> Items);
