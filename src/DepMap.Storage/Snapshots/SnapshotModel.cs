using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.Snapshots;

/// <summary>The snapshots table: newest first is a scan of the primary key backwards.</summary>
internal static class SnapshotModel
{
    public static void Configure(ModelBuilder model)
    {
        var snapshot = model.Entity<SnapshotRow>();
        snapshot.ToTable("snapshots");
        snapshot.HasKey(s => s.Id);
        snapshot.Property(s => s.Id).HasColumnName("id").ValueGeneratedOnAdd();
        snapshot.Property(s => s.TakenAtUnixMs).HasColumnName("taken_at_unix_ms");
        snapshot.Property(s => s.FromUnixMs).HasColumnName("from_unix_ms");
        snapshot.Property(s => s.ToUnixMs).HasColumnName("to_unix_ms");
        snapshot.Property(s => s.Label).HasColumnName("label");
        snapshot.Property(s => s.TopologyHash).HasColumnName("topology_hash");
        snapshot.Property(s => s.ContentHash).HasColumnName("content_hash");
        snapshot.Property(s => s.SameTopologyAsPrevious).HasColumnName("same_topology_as_previous");
        snapshot.Property(s => s.FileStem).HasColumnName("file_stem");
        snapshot.Property(s => s.NodeCount).HasColumnName("node_count");
        snapshot.Property(s => s.EdgeCount).HasColumnName("edge_count");
        snapshot.Property(s => s.Body).HasColumnName("body");
    }
}
