using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace DepMap.Storage.Aggregation;

/// <summary>
/// Appends spans to their traces' rows with one prepared upsert per trace, on the context's own
/// connection and open transaction, so the rows commit together with the progress mark.
/// This bypasses EF Core on purpose: loading every touched trace row (blob included) and saving it
/// through the change tracker was about a third of a flush aggregation; the upsert appends in SQL
/// and never reads a blob back. Not thread-safe: one intake owns it for one transaction.
/// </summary>
public sealed class TraceRowAppender : IDisposable
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

    private readonly DbCommand _upsert;
    private readonly DbParameter _id;
    private readonly DbParameter _spans;
    private readonly DbParameter _count;
    private readonly DbParameter _arrival;

    /// <summary>Binds to <paramref name="db"/>'s connection and its current transaction, which must be open.</summary>
    public TraceRowAppender(DbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Trace rows are appended inside the intake's transaction.");
        _upsert = db.Database.GetDbConnection().CreateCommand();
        _upsert.Transaction = transaction;
        _upsert.CommandText = UpsertSql;
        _id = Parameter("@id", DbType.Int64);
        _spans = Parameter("@spans", DbType.Binary);
        _count = Parameter("@count", DbType.Int32);
        _arrival = Parameter("@arrival", DbType.Int64);
        Parameter("@pending", DbType.Boolean).Value = true;
        _upsert.Prepare();
    }

    /// <summary>Appends <paramref name="spans"/> (<see cref="TraceSpans"/>' format) to the trace's row, creating it if new, and marks it pending.</summary>
    public void Append(long traceIdLow, byte[] spans, int spanCount, long lastArrivalUnixMs)
    {
        _id.Value = traceIdLow;
        _spans.Value = spans;
        _count.Value = spanCount;
        _arrival.Value = lastArrivalUnixMs;
        _upsert.ExecuteNonQuery();
    }

    public void Dispose() => _upsert.Dispose();

    private DbParameter Parameter(string name, DbType type)
    {
        var parameter = _upsert.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        _upsert.Parameters.Add(parameter);
        return parameter;
    }
}
