using System.Buffers;
using System.Data.Common;
using DepMap.Storage;
using DepMap.Storage.Aggregation;
using DepMap.Storage.Spans;
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
    private static readonly string ReadSql =
        $"SELECT {SpanRow.IdColumn}, {SpanRow.TraceIdHighColumn}, {SpanRow.TraceIdLowColumn}, {SpanRow.ReceivedAtColumn}, {SpanRow.DataColumn} " +
        $"FROM {SpanRow.Table} WHERE {SpanRow.IdColumn} > @from ORDER BY {SpanRow.IdColumn} LIMIT @limit";

    /// <summary>Takes in at most <paramref name="batchSize"/> spans; returns how many.</summary>
    public async Task<int> TakeInAsync(int batchSize, CancellationToken cancellationToken)
    {
        var mark = await db.AggregationState.AsNoTracking()
            .Where(s => s.Id == AggregationStateRow.SingletonId)
            .Select(s => (long?)s.LastSpanId)
            .SingleOrDefaultAsync(cancellationToken);
        var from = mark ?? 0;
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var spans = await ReadAsync(from, batchSize, cancellationToken);
            if (spans.Count == 0)
            {
                return 0;
            }
            var traces = Group(spans);

            var last = spans[^1].Id;
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (mark is null)
            {
                db.AggregationState.Add(new AggregationStateRow { LastSpanId = last });
                await db.SaveChangesAsync(cancellationToken);
            }
            else if (await db.AggregationState
                .Where(s => s.Id == AggregationStateRow.SingletonId && s.LastSpanId == from)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.LastSpanId, last), cancellationToken) != 1)
            {
                throw new InvalidOperationException("Another aggregation moved the progress mark during this run; nothing was taken in.");
            }
            using (var appender = new TraceRowAppender(db))
            {
                foreach (var trace in traces)
                {
                    appender.Append(trace.TraceIdLow, trace.Spans, trace.SpanCount, trace.LastArrivalUnixMs);
                }
            }
            faults?.BeforeCommit?.Invoke(AggregationStep.Intake);
            await transaction.CommitAsync(cancellationToken);
            db.ChangeTracker.Clear();
            return spans.Count;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// Reads through the connection rather than an EF Core query: materialising tens of thousands of
    /// rows per batch through the query pipeline cost several times the read itself.
    /// </summary>
    private async Task<List<NewSpan>> ReadAsync(long from, int batchSize, CancellationToken cancellationToken)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = ReadSql;
        AddParameter(command, "@from", from);
        AddParameter(command, "@limit", batchSize);
        var spans = new List<NewSpan>(Math.Min(batchSize, 65_536));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            spans.Add(new NewSpan(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetFieldValue<byte[]>(4)));
        }
        return spans;
    }

    /// <summary>The spans per trace, each trace's in arrival order, in <see cref="TraceSpans"/>' format.</summary>
    private static List<NewTraceSpans> Group(List<NewSpan> spans)
    {
        var byTrace = new Dictionary<long, List<NewSpan>>();
        foreach (var span in spans)
        {
            if (!byTrace.TryGetValue(span.TraceIdLow, out var group))
            {
                byTrace.Add(span.TraceIdLow, group = []);
            }
            group.Add(span);
        }
        var traces = new List<NewTraceSpans>(byTrace.Count);
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var (traceIdLow, group) in byTrace)
        {
            buffer.ResetWrittenCount();
            var lastArrival = long.MinValue;
            foreach (var span in group)
            {
                TraceSpans.Append(buffer, span.TraceIdHigh, span.Data);
                lastArrival = Math.Max(lastArrival, span.ReceivedAtUnixMs);
            }
            traces.Add(new NewTraceSpans(traceIdLow, buffer.WrittenSpan.ToArray(), group.Count, lastArrival));
        }
        return traces;
    }

    private static void AddParameter(DbCommand command, string name, long value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private sealed record NewSpan(long Id, long TraceIdHigh, long TraceIdLow, long ReceivedAtUnixMs, byte[] Data);

    private sealed record NewTraceSpans(long TraceIdLow, byte[] Spans, int SpanCount, long LastArrivalUnixMs);
}
