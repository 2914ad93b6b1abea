using System.Data;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.Aggregation;

/// <summary>
/// The linking step's reads and writes of trace rows, through the connection: an EF Core query
/// materialising ten thousand rows with their blobs, and an update matching ten thousand ids in
/// one IN list, each cost more than the linking of those traces.
/// </summary>
public static class PendingTraces
{
    private const string ReadSql =
        $"SELECT {TraceRow.TraceIdLowColumn}, {TraceRow.SpansColumn}, {TraceRow.SpanCountColumn}, {TraceRow.LinkedSpanCountColumn}, " +
        $"{TraceRow.LastArrivalColumn}, {TraceRow.LinkedAtColumn} FROM {TraceRow.Table} " +
        $"WHERE {TraceRow.PendingColumn} = @pending AND {TraceRow.LastArrivalColumn} <= @settledAt " +
        $"ORDER BY {TraceRow.LastArrivalColumn} LIMIT @limit";

    private const string MarkSql =
        $"UPDATE {TraceRow.Table} SET {TraceRow.LinkedSpanCountColumn} = {TraceRow.SpanCountColumn}, " +
        $"{TraceRow.PendingColumn} = @notPending, {TraceRow.LinkedAtColumn} = @now " +
        $"WHERE {TraceRow.TraceIdLowColumn} = @id AND {TraceRow.PendingColumn} = @pending";

    /// <summary>At most <paramref name="limit"/> pending traces that last received a span at or before <paramref name="settledAtUnixMs"/>, longest settled first.</summary>
    public static async Task<List<TraceRow>> ReadSettledAsync(DbContext db, long settledAtUnixMs, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = ReadSql;
            Add(command, "@pending", DbType.Boolean, true);
            Add(command, "@settledAt", DbType.Int64, settledAtUnixMs);
            Add(command, "@limit", DbType.Int32, limit);
            var traces = new List<TraceRow>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                traces.Add(new TraceRow
                {
                    TraceIdLow = reader.GetInt64(0),
                    Spans = reader.GetFieldValue<byte[]>(1),
                    SpanCount = reader.GetInt32(2),
                    LinkedSpanCount = reader.GetInt32(3),
                    Pending = true,
                    LastArrivalUnixMs = reader.GetInt64(4),
                    LinkedAtUnixMs = reader.IsDBNull(5) ? null : reader.GetInt64(5),
                });
            }
            return traces;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// Marks the traces linked as of now, inside the caller's open transaction; returns how many were
    /// still pending (fewer than given means another writer touched them).
    /// </summary>
    public static int MarkLinked(DbContext db, IEnumerable<long> traceIdLows, long nowUnixMs)
    {
        ArgumentNullException.ThrowIfNull(traceIdLows);
        using var mark = new PreparedCommand(db, MarkSql,
            ("@notPending", DbType.Boolean), ("@now", DbType.Int64), ("@id", DbType.Int64), ("@pending", DbType.Boolean));
        var marked = 0;
        foreach (var id in traceIdLows)
        {
            marked += mark.Execute(false, nowUnixMs, id, true);
        }
        return marked;
    }

    private static void Add(System.Data.Common.DbCommand command, string name, DbType type, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
