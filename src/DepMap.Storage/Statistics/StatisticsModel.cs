using DepMap.Storage.Aggregation;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.Statistics;

/// <summary>
/// The aggregation's tables. Statistics keys start with (resolution, bucket start), so a window is
/// one range scan per resolution and retention deletes a prefix.
/// </summary>
internal static class StatisticsModel
{
    public static void Configure(ModelBuilder model)
    {
        var graph = model.Entity<GraphBucketRow>();
        graph.ToTable(GraphBucketRow.Table);
        graph.HasKey(g => new { g.Resolution, g.BucketStartUnixMs });
        graph.Property(g => g.Resolution).HasColumnName("resolution");
        graph.Property(g => g.BucketStartUnixMs).HasColumnName("bucket_start_unix_ms");
        graph.Property(g => g.Edges).HasColumnName("edges");
        graph.Property(g => g.Nodes).HasColumnName("nodes");

        var links = model.Entity<ZipkinLinkPackRow>();
        links.ToTable(ZipkinLinkPackRow.Table);
        links.HasKey(l => new { l.Resolution, l.BucketStartUnixMs });
        links.Property(l => l.Resolution).HasColumnName("resolution");
        links.Property(l => l.BucketStartUnixMs).HasColumnName("bucket_start_unix_ms");
        links.Property(l => l.Links).HasColumnName("links");

        var reliability = model.Entity<ReliabilityStatisticsRow>();
        reliability.ToTable("reliability_stats");
        reliability.HasKey(r => new { r.Resolution, r.BucketStartUnixMs });
        reliability.Property(r => r.Resolution).HasColumnName("resolution");
        reliability.Property(r => r.BucketStartUnixMs).HasColumnName("bucket_start_unix_ms");
        reliability.Property(r => r.Traces).HasColumnName("traces");
        reliability.Property(r => r.Blob).HasColumnName("blob");

        var trace = model.Entity<TraceRow>();
        trace.ToTable(TraceRow.Table);
        trace.HasKey(t => t.TraceIdLow);
        trace.Property(t => t.TraceIdLow).HasColumnName(TraceRow.TraceIdLowColumn).ValueGeneratedNever();
        trace.Property(t => t.Spans).HasColumnName(TraceRow.SpansColumn);
        // A second writer of the same trace (another instance on the same database) fails instead of losing spans.
        trace.Property(t => t.SpanCount).HasColumnName(TraceRow.SpanCountColumn).IsConcurrencyToken();
        trace.Property(t => t.LinkedSpanCount).HasColumnName(TraceRow.LinkedSpanCountColumn);
        trace.Property(t => t.Pending).HasColumnName(TraceRow.PendingColumn);
        trace.Property(t => t.LastArrivalUnixMs).HasColumnName(TraceRow.LastArrivalColumn);
        trace.Property(t => t.LinkedAtUnixMs).HasColumnName(TraceRow.LinkedAtColumn);
        // The run's sweep reads pending traces by (pending, last arrival), whose grace has passed, in
        // order; retention takes linked ones by the same index. A partial index WHERE pending would
        // duplicate this one's pending half and cost every trace-row write a second index update.
        trace.HasIndex(t => new { t.Pending, t.LastArrivalUnixMs }).HasDatabaseName("ix_traces_pending_last_arrival");

        var traceLink = model.Entity<TraceLinkRow>();
        traceLink.ToTable(TraceLinkRow.Table);
        traceLink.HasKey(l => new { l.TargetTraceIdLow, l.SourceTraceIdLow });
        traceLink.Property(l => l.TargetTraceIdLow).HasColumnName(TraceLinkRow.TargetColumn).ValueGeneratedNever();
        traceLink.Property(l => l.SourceTraceIdLow).HasColumnName(TraceLinkRow.SourceColumn).ValueGeneratedNever();

        var state = model.Entity<AggregationStateRow>();
        state.ToTable("aggregation_state");
        state.HasKey(s => s.Id);
        state.Property(s => s.Id).HasColumnName("id").ValueGeneratedNever();
        state.Property(s => s.LastSpanId).HasColumnName("last_span_id");
    }
}
