using System.Buffers;
using DepMap.Storage;
using DepMap.Storage.Aggregation;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Server.Features.Aggregation;

/// <summary>
/// Step one of a run: spans past the progress mark are appended to their traces' rows, and the mark
/// moves in the same transaction. The reads happen before the transaction so ingest keeps the write
/// lock while spans are grouped; the mark is compared-and-set inside it, so two runs can never both
/// take the same spans.
/// </summary>
internal sealed class SpanIntake(DepMapDbContext db, AggregationFaults? faults)
{
    /// <summary>Takes in at most <paramref name="batchSize"/> spans; returns how many.</summary>
    public async Task<int> TakeInAsync(int batchSize, CancellationToken cancellationToken)
    {
        var mark = await db.AggregationState.AsNoTracking()
            .Where(s => s.Id == AggregationStateRow.SingletonId)
            .Select(s => (long?)s.LastSpanId)
            .SingleOrDefaultAsync(cancellationToken);
        var from = mark ?? 0;
        var spans = await db.Spans.AsNoTracking()
            .Where(s => s.Id > from)
            .OrderBy(s => s.Id)
            .Take(batchSize)
            .Select(s => new { s.Id, s.TraceIdHigh, s.TraceIdLow, s.ReceivedAtUnixMs, s.Data })
            .ToListAsync(cancellationToken);
        if (spans.Count == 0)
        {
            return 0;
        }

        var groups = spans.GroupBy(s => s.TraceIdLow).ToList();
        var ids = groups.Select(g => g.Key).ToList();
        var traces = await db.Traces.Where(t => ids.Contains(t.TraceIdLow)).ToDictionaryAsync(t => t.TraceIdLow, cancellationToken);
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var group in groups)
        {
            if (!traces.TryGetValue(group.Key, out var trace))
            {
                trace = new TraceRow { TraceIdLow = group.Key };
                db.Traces.Add(trace);
            }
            buffer.ResetWrittenCount();
            buffer.Write(trace.Spans);
            foreach (var span in group)
            {
                TraceSpans.Append(buffer, span.TraceIdHigh, span.Data);
                trace.SpanCount++;
                trace.LastArrivalUnixMs = Math.Max(trace.LastArrivalUnixMs, span.ReceivedAtUnixMs);
            }
            trace.Spans = buffer.WrittenSpan.ToArray();
            trace.Pending = true;
        }

        var last = spans[^1].Id;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (mark is null)
        {
            db.AggregationState.Add(new AggregationStateRow { LastSpanId = last });
        }
        else if (await db.AggregationState
            .Where(s => s.Id == AggregationStateRow.SingletonId && s.LastSpanId == from)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.LastSpanId, last), cancellationToken) != 1)
        {
            throw new InvalidOperationException("Another aggregation moved the progress mark during this run; nothing was taken in.");
        }
        await db.SaveChangesAsync(cancellationToken);
        faults?.BeforeCommit?.Invoke(AggregationStep.Intake);
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return spans.Count;
    }
}
