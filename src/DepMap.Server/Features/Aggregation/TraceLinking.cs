using DepMap.Core.Spans;
using DepMap.Storage;
using DepMap.Storage.Aggregation;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Server.Features.Aggregation;

/// <summary>
/// Step two of a run: links settled traces and applies the change to the statistics, in one
/// transaction with the traces' new linked counts. A trace linked before is linked again as it was
/// (its first <see cref="TraceRow.LinkedSpanCount"/> spans) and that is subtracted, then linked with
/// every span and added: a late span changes the statistics by exactly the difference.
/// </summary>
internal sealed class TraceLinking(DepMapDbContext db, AggregationFaults? faults, ILogger logger)
{
    /// <summary>Links at most <paramref name="batchSize"/> traces that last received a span at or before <paramref name="settledAtUnixMs"/>; returns how many.</summary>
    public async Task<int> LinkAsync(long settledAtUnixMs, long nowUnixMs, int batchSize, CancellationToken cancellationToken)
    {
        var traces = await db.Traces
            .Where(t => t.Pending && t.LastArrivalUnixMs <= settledAtUnixMs)
            .OrderBy(t => t.LastArrivalUnixMs)
            .Take(batchSize)
            .ToListAsync(cancellationToken);
        if (traces.Count == 0)
        {
            return 0;
        }

        var delta = new StatisticsDelta();
        var spans = new List<Span>();
        foreach (var trace in traces)
        {
            if (trace.LinkedSpanCount > 0)
            {
                spans.Clear();
                TraceSpans.Decode(trace.Spans, trace.TraceIdLow, spans, trace.LinkedSpanCount);
                delta.Remove(TraceLink.Of(spans));
            }
            spans.Clear();
            TraceSpans.Decode(trace.Spans, trace.TraceIdLow, spans);
            delta.Add(TraceLink.Of(spans));
            trace.LinkedSpanCount = trace.SpanCount;
            trace.Pending = false;
            trace.LinkedAtUnixMs = nowUnixMs;
        }

        await new StatisticsWriter(db, logger).ApplyAsync(delta, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        faults?.BeforeCommit?.Invoke(AggregationStep.Statistics);
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return traces.Count;
    }
}
