using DepMap.Storage.Aggregation;
using DepMap.Storage.Models;
using DepMap.Storage.Snapshots;
using DepMap.Storage.Spans;
using DepMap.Storage.Statistics;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage;

/// <summary>
/// DepMap's database. The model uses only portable types and explicit snake_case names, so the
/// same model maps to SQLite now and PostgreSQL later; each provider keeps its own migrations.
/// </summary>
public sealed class DepMapDbContext(DbContextOptions<DepMapDbContext> options) : DbContext(options)
{
    public DbSet<SpanRow> Spans => Set<SpanRow>();
    public DbSet<TraceRow> Traces => Set<TraceRow>();
    public DbSet<TraceLinkRow> TraceLinks => Set<TraceLinkRow>();
    public DbSet<AggregationStateRow> AggregationState => Set<AggregationStateRow>();
    public DbSet<GraphBucketRow> GraphBuckets => Set<GraphBucketRow>();
    public DbSet<ZipkinLinkPackRow> ZipkinLinkPacks => Set<ZipkinLinkPackRow>();
    public DbSet<ReliabilityStatisticsRow> ReliabilityStatistics => Set<ReliabilityStatisticsRow>();
    public DbSet<SnapshotRow> Snapshots => Set<SnapshotRow>();
    public DbSet<DeclaredModelRow> DeclaredModels => Set<DeclaredModelRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var span = modelBuilder.Entity<SpanRow>();
        span.ToTable(SpanRow.Table);
        span.HasKey(s => s.Id);
        span.Property(s => s.Id).HasColumnName(SpanRow.IdColumn).ValueGeneratedOnAdd();
        span.Property(s => s.TraceIdHigh).HasColumnName(SpanRow.TraceIdHighColumn);
        span.Property(s => s.TraceIdLow).HasColumnName(SpanRow.TraceIdLowColumn);
        span.Property(s => s.ReceivedAtUnixMs).HasColumnName(SpanRow.ReceivedAtColumn);
        span.Property(s => s.Data).HasColumnName(SpanRow.DataColumn);
        span.Ignore(s => s.TraceId);

        StatisticsModel.Configure(modelBuilder);
        SnapshotModel.Configure(modelBuilder);
        DeclaredModelRow.Configure(modelBuilder);
    }
}
