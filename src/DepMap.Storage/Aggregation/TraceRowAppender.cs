using System.Data;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.Aggregation;

/// <summary>
/// Appends spans to their traces' rows with one prepared upsert per trace, on the context's own
/// connection and open transaction, so the rows commit together with the progress mark.
/// This bypasses EF Core on purpose: loading every touched trace row (blob included) and saving it
/// through the change tracker was about a third of a flush aggregation; the upsert appends in SQL
/// and never reads a blob back. Not thread-safe: one intake owns it for one transaction.
/// </summary>
public sealed class TraceRowAppender(DbContext db) : IDisposable
{
    // SQLite's || turns two BLOBs into TEXT (every byte kept); the CAST makes the value a BLOB again.
    // The last arrival keeps the larger value, as a clock stepping back must not un-settle a trace.
    private const string UpsertSql =
        $"INSERT INTO {TraceRow.Table} ({TraceRow.TraceIdLowColumn}, {TraceRow.SpansColumn}, {TraceRow.SpanCountColumn}, " +
        $"{TraceRow.LinkedSpanCountColumn}, {TraceRow.PendingColumn}, {TraceRow.LastArrivalColumn}, {TraceRow.LinkedAtColumn}) " +
        "VALUES (@id, @spans, @count, 0, @pending, @arrival, NULL) " +
        $"ON CONFLICT ({TraceRow.TraceIdLowColumn}) DO UPDATE SET " +
        $"{TraceRow.SpansColumn} = CAST({TraceRow.Table}.{TraceRow.SpansColumn} || excluded.{TraceRow.SpansColumn} AS BLOB), " +
        $"{TraceRow.SpanCountColumn} = {TraceRow.Table}.{TraceRow.SpanCountColumn} + excluded.{TraceRow.SpanCountColumn}, " +
        $"{TraceRow.PendingColumn} = excluded.{TraceRow.PendingColumn}, " +
        $"{TraceRow.LastArrivalColumn} = CASE WHEN excluded.{TraceRow.LastArrivalColumn} > {TraceRow.Table}.{TraceRow.LastArrivalColumn} " +
        $"THEN excluded.{TraceRow.LastArrivalColumn} ELSE {TraceRow.Table}.{TraceRow.LastArrivalColumn} END";

    private readonly PreparedCommand _upsert = new(db, UpsertSql,
        ("@id", DbType.Int64), ("@spans", DbType.Binary), ("@count", DbType.Int32), ("@pending", DbType.Boolean), ("@arrival", DbType.Int64));

    /// <summary>Appends <paramref name="spans"/> (<see cref="TraceSpans"/>' format) to the trace's row, creating it if new, and marks it pending.</summary>
    public void Append(long traceIdLow, byte[] spans, int spanCount, long lastArrivalUnixMs) =>
        _upsert.Execute(traceIdLow, spans, spanCount, true, lastArrivalUnixMs);

    public void Dispose() => _upsert.Dispose();
}
