using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.Aggregation;

/// <summary>
/// The aggregation's reads and writes of trace rows, through the context's connection: one point
/// read per trace of a batch (outside the transaction) and one prepared upsert per changed trace
/// (inside it). EF Core's change tracker cost more than the linking of those traces.
/// </summary>
public sealed class TraceRows(DbContext db) : IDisposable
{
    private const string FindSql =
        $"SELECT {TraceRow.SpansColumn}, {TraceRow.SpanCountColumn}, {TraceRow.LinkedSpanCountColumn}, {TraceRow.PendingColumn}, " +
        $"{TraceRow.LastArrivalColumn}, {TraceRow.LinkedAtColumn} FROM {TraceRow.Table} WHERE {TraceRow.TraceIdLowColumn} = @id";

    private const string UpsertSql =
        $"INSERT INTO {TraceRow.Table} ({TraceRow.TraceIdLowColumn}, {TraceRow.SpansColumn}, {TraceRow.SpanCountColumn}, " +
        $"{TraceRow.LinkedSpanCountColumn}, {TraceRow.PendingColumn}, {TraceRow.LastArrivalColumn}, {TraceRow.LinkedAtColumn}) " +
        "VALUES (@id, @spans, @count, @linked, @pending, @arrival, @linkedAt) " +
        $"ON CONFLICT ({TraceRow.TraceIdLowColumn}) DO UPDATE SET {TraceRow.SpansColumn} = excluded.{TraceRow.SpansColumn}, " +
        $"{TraceRow.SpanCountColumn} = excluded.{TraceRow.SpanCountColumn}, {TraceRow.LinkedSpanCountColumn} = excluded.{TraceRow.LinkedSpanCountColumn}, " +
        $"{TraceRow.PendingColumn} = excluded.{TraceRow.PendingColumn}, {TraceRow.LastArrivalColumn} = excluded.{TraceRow.LastArrivalColumn}, " +
        $"{TraceRow.LinkedAtColumn} = excluded.{TraceRow.LinkedAtColumn}";

    private DbCommand? _find;

    /// <summary>The trace's row, or null for a trace never seen before; on the open connection, outside any transaction.</summary>
    public TraceRow? Find(long traceIdLow)
    {
        if (_find is null)
        {
            _find = db.Database.GetDbConnection().CreateCommand();
            _find.CommandText = FindSql;
            var parameter = _find.CreateParameter();
            parameter.ParameterName = "@id";
            parameter.DbType = DbType.Int64;
            _find.Parameters.Add(parameter);
        }
        _find.Parameters[0].Value = traceIdLow;
        using var reader = _find.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }
        return new TraceRow
        {
            TraceIdLow = traceIdLow,
            Spans = reader.GetFieldValue<byte[]>(0),
            SpanCount = reader.GetInt32(1),
            LinkedSpanCount = reader.GetInt32(2),
            Pending = reader.GetBoolean(3),
            LastArrivalUnixMs = reader.GetInt64(4),
            LinkedAtUnixMs = reader.IsDBNull(5) ? null : reader.GetInt64(5),
        };
    }

    /// <summary>Inserts or replaces every row, inside <paramref name="db"/>'s open transaction.</summary>
    public static void Write(DbContext db, IEnumerable<TraceRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var upsert = new PreparedCommand(db, UpsertSql,
            ("@id", DbType.Int64), ("@spans", DbType.Binary), ("@count", DbType.Int32), ("@linked", DbType.Int32),
            ("@pending", DbType.Boolean), ("@arrival", DbType.Int64), ("@linkedAt", DbType.Int64));
        foreach (var row in rows)
        {
            upsert.Execute(row.TraceIdLow, row.Spans, row.SpanCount, row.LinkedSpanCount, row.Pending, row.LastArrivalUnixMs, row.LinkedAtUnixMs);
        }
    }

    public void Dispose() => _find?.Dispose();
}
