using DepMap.Core.Snapshots;
using DepMap.Storage;
using DepMap.Storage.Snapshots;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Server.Features.Snapshots;

/// <summary>Reads of the snapshots table the feature's handlers share.</summary>
internal static class SnapshotRows
{
    /// <summary>Every snapshot, oldest first, without the bodies (for the index and the list).</summary>
    public static Task<List<SnapshotRow>> AllWithoutBodiesAsync(DepMapDbContext db, CancellationToken cancellationToken) =>
        WithoutBodies(db.Snapshots.AsNoTracking().OrderBy(s => s.Id)).ToListAsync(cancellationToken);

    /// <summary>The rows without their bodies, which only the file and diff reads need.</summary>
    public static IQueryable<SnapshotRow> WithoutBodies(IQueryable<SnapshotRow> rows) =>
        rows.Select(s => new SnapshotRow
        {
            Id = s.Id,
            TakenAtUnixMs = s.TakenAtUnixMs,
            FromUnixMs = s.FromUnixMs,
            ToUnixMs = s.ToUnixMs,
            Label = s.Label,
            TopologyHash = s.TopologyHash,
            ContentHash = s.ContentHash,
            SameTopologyAsPrevious = s.SameTopologyAsPrevious,
            FileStem = s.FileStem,
            NodeCount = s.NodeCount,
            EdgeCount = s.EdgeCount,
            Body = Array.Empty<byte>(),
        });

    /// <summary>The stored snapshot, read back into its graph; null when there is no such id.</summary>
    public static async Task<(SnapshotRow Row, Snapshot Snapshot)?> FindAsync(DepMapDbContext db, long id, CancellationToken cancellationToken)
    {
        var row = await db.Snapshots.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        return row is null ? null : (row, SnapshotJson.Read(row.Body));
    }
}
