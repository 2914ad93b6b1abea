using System.Buffers;
using DepMap.Core.Spans;
using DepMap.Storage;
using DepMap.Storage.Aggregation;
using DepMap.Storage.Spans;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Server.Features.Aggregation;

/// <summary>
/// One aggregation run. It reads the spans past the progress mark that arrived at or before the
/// settle point, straight from the span table in id order, a batch at a time, and links each trace
/// of a batch whose spans are all in: a trace that also has spans in the next batch or in the
/// unsettled tail is still receiving and waits in its trace row. Each batch commits its statistics
/// change, its trace rows and the new mark in one transaction, so a run killed anywhere leaves
/// either all of a batch or none of it.
/// A trace linked before (a late span) is linked again as it was, its first
/// <see cref="TraceRow.LinkedSpanCount"/> spans, and that is subtracted, then linked with every span
/// and added: the statistics change by exactly the difference.
/// </summary>
internal sealed partial class TraceLinking(DepMapDbContext db, long nowUnixMs, int batchSize, AggregationFaults? faults, ILogger logger) : IDisposable
{
    private readonly SpanTableReader _spans = new(db);
    private readonly TraceRows _traces = new(db);
    private readonly StatisticsWriter _statistics = new(db, logger);
    private int _batches;

    /// <summary>
    /// Links every trace quiet since <paramref name="settledAtUnixMs"/> (every trace when null), calling
    /// <paramref name="committed"/> after each batch that changed the statistics.
    /// </summary>
    public async Task<AggregationResult> RunAsync(long? settledAtUnixMs, Action committed, CancellationToken cancellationToken)
    {
        var mark = await db.AggregationState.AsNoTracking()
            .Where(s => s.Id == AggregationStateRow.SingletonId)
            .Select(s => (long?)s.LastSpanId)
            .SingleOrDefaultAsync(cancellationToken);
        var from = mark ?? 0;
        var unsettled = new HashSet<long>();
        var end = settledAtUnixMs is { } settledAt ? _spans.ReadUnsettledTail(from, settledAt, unsettled) : long.MaxValue;

        long spans = 0;
        long traces = 0;
        var batch = _spans.ReadRange(from, end, batchSize);
        while (batch.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var last = batch[^1].RowId;
            var next = batch.Count == batchSize ? _spans.ReadRange(last, end, batchSize) : [];
            var waiting = new HashSet<long>(unsettled);
            foreach (var span in next)
            {
                waiting.Add(unchecked((long)span.Span.TraceId.Low));
            }
            var linked = await LinkBatchAsync(batch, waiting, mark, last, cancellationToken);
            spans += batch.Count;
            traces += linked;
            if (linked > 0)
            {
                committed();
            }
            mark = last;
            batch = next;
        }
        return new AggregationResult(spans, traces);
    }

    /// <summary>Links the batch's traces that are not <paramref name="waiting"/>, commits, and returns how many it linked.</summary>
    private async Task<int> LinkBatchAsync(List<StoredSpan> batch, HashSet<long> waiting, long? mark, long last, CancellationToken cancellationToken)
    {
        var delta = new StatisticsDelta();
        var rows = new List<TraceRow>();
        var spans = new List<Span>();
        var entries = new List<TraceSpanEntry>();
        var buffer = new ArrayBufferWriter<byte>();
        var linked = 0;
        foreach (var (traceIdLow, group) in GroupByTrace(batch))
        {
            var row = _traces.Find(traceIdLow);
            var lastArrival = Math.Max(row?.LastArrivalUnixMs ?? long.MinValue, group[^1].ReceivedAtUnixMs);
            buffer.ResetWrittenCount();
            if (waiting.Contains(traceIdLow))
            {
                buffer.Write(row?.Spans ?? []);
                foreach (var span in group)
                {
                    TraceSpans.AppendCopy(buffer, unchecked((long)span.Span.TraceId.High), SpanCodec.Encode(span.Span));
                }
                rows.Add(new TraceRow
                {
                    TraceIdLow = traceIdLow,
                    Spans = buffer.WrittenSpan.ToArray(),
                    SpanCount = (row?.SpanCount ?? 0) + group.Count,
                    LinkedSpanCount = row?.LinkedSpanCount ?? 0,
                    Pending = true,
                    LastArrivalUnixMs = lastArrival,
                    LinkedAtUnixMs = row?.LinkedAtUnixMs,
                });
                continue;
            }

            spans.Clear();
            long lastReference = 0;
            if (row is not null && !TryReadEarlierSpans(row, spans, entries, out lastReference))
            {
                LogEarlierSpansGone(logger, unchecked((ulong)traceIdLow));
                row = null;
                spans.Clear();
                lastReference = 0;
            }
            if (row is { LinkedSpanCount: > 0 })
            {
                delta.Remove(TraceLink.Of(spans.GetRange(0, row.LinkedSpanCount)));
            }
            buffer.Write(row?.Spans ?? []);
            foreach (var span in group)
            {
                spans.Add(span.Span);
                TraceSpans.AppendReference(buffer, span.RowId, ref lastReference);
            }
            delta.Add(TraceLink.Of(spans));
            rows.Add(new TraceRow
            {
                TraceIdLow = traceIdLow,
                Spans = buffer.WrittenSpan.ToArray(),
                SpanCount = spans.Count,
                LinkedSpanCount = spans.Count,
                Pending = false,
                LastArrivalUnixMs = lastArrival,
                LinkedAtUnixMs = nowUnixMs,
            });
            linked++;
        }

        await _statistics.ApplyAsync(delta, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await MoveMarkAsync(mark, last, cancellationToken);
        _statistics.Rows.Write(db);
        TraceRows.Write(db, rows);
        faults?.BeforeCommit?.Invoke(++_batches);
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return linked;
    }

    /// <summary>
    /// The spans the trace's row holds, copies decoded and references read back from the span table;
    /// false when retention has deleted a referenced span.
    /// </summary>
    private bool TryReadEarlierSpans(TraceRow row, List<Span> spans, List<TraceSpanEntry> entries, out long lastReference)
    {
        entries.Clear();
        lastReference = TraceSpans.Read(row.Spans, row.TraceIdLow, entries);
        foreach (var entry in entries)
        {
            var span = entry.Span ?? _spans.ReadOne(entry.SpanRowId)?.Span;
            if (span is null)
            {
                return false;
            }
            spans.Add(span);
        }
        return true;
    }

    /// <summary>
    /// Compares and sets the mark inside the batch's transaction: a second run that read the same
    /// spans (another instance on the same database) fails here instead of counting them twice.
    /// </summary>
    private async Task MoveMarkAsync(long? mark, long last, CancellationToken cancellationToken)
    {
        if (mark is null)
        {
            db.AggregationState.Add(new AggregationStateRow { LastSpanId = last });
            await db.SaveChangesAsync(cancellationToken);
        }
        else if (await db.AggregationState
            .Where(s => s.Id == AggregationStateRow.SingletonId && s.LastSpanId == mark)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.LastSpanId, last), cancellationToken) != 1)
        {
            throw new InvalidOperationException("Another aggregation moved the progress mark during this run; this batch was not linked.");
        }
    }

    /// <summary>The batch's spans per trace, each trace's in id order, traces in order of their first span.</summary>
    private static List<(long TraceIdLow, List<StoredSpan> Spans)> GroupByTrace(List<StoredSpan> batch)
    {
        var index = new Dictionary<long, int>();
        var groups = new List<(long, List<StoredSpan>)>();
        foreach (var span in batch)
        {
            var low = unchecked((long)span.Span.TraceId.Low);
            if (!index.TryGetValue(low, out var i))
            {
                index.Add(low, i = groups.Count);
                groups.Add((low, []));
            }
            groups[i].Item2.Add(span);
        }
        return groups;
    }

    public void Dispose()
    {
        _spans.Dispose();
        _traces.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Trace {TraceIdLow:x16} received a late span after retention deleted its earlier spans; the late spans are linked on their own")]
    private static partial void LogEarlierSpansGone(ILogger logger, ulong traceIdLow);
}
