using System.Data;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.Aggregation;

/// <summary>
/// The aggregation's reads and writes of trace rows, through the context's connection: one read for
/// a batch's traces (outside the transaction) and one prepared upsert per changed trace (inside it).
/// EF Core's change tracker cost more than the linking of those traces.
/// </summary>
public sealed class TraceRows(DbContext db)
{
    // One statement for a whole batch's traces: json_each hands SQLite the ids, and it probes the
    // primary key for each; a prepared point read per trace cost about ten times as much per trace.
    private const string FindManySql = $"SELECT {Columns} FROM {TraceRow.Table} WHERE {TraceRow.TraceIdLowColumn} IN (SELECT value FROM json_each(@ids))";

    // The pending rows' index (pending, last arrival) answers it: a range of its pending half, in order.
    private const string PendingSql =
        $"SELECT {Columns} FROM {TraceRow.Table} WHERE {TraceRow.PendingColumn} = 1 AND {TraceRow.LastArrivalColumn} <= @arrivedBy " +
        $"AND ({TraceRow.LastArrivalColumn}, {TraceRow.TraceIdLowColumn}) > (@afterArrival, @afterTrace) " +
        $"ORDER BY {TraceRow.LastArrivalColumn}, {TraceRow.TraceIdLowColumn} LIMIT @limit";

    /// <summary>The columns <see cref="ReadAll"/> reads, in its order (the PostgreSQL store selects them too).</summary>
    internal const string Columns =
        $"{TraceRow.TraceIdLowColumn}, {TraceRow.SpansColumn}, {TraceRow.SpanCountColumn}, {TraceRow.LinkedSpanCountColumn}, {TraceRow.PendingColumn}, " +
        $"{TraceRow.LastArrivalColumn}, {TraceRow.LinkedAtColumn}";

    private const string UpsertSql =
        $"INSERT INTO {TraceRow.Table} ({TraceRow.TraceIdLowColumn}, {TraceRow.SpansColumn}, {TraceRow.SpanCountColumn}, " +
        $"{TraceRow.LinkedSpanCountColumn}, {TraceRow.PendingColumn}, {TraceRow.LastArrivalColumn}, {TraceRow.LinkedAtColumn}) " +
        "VALUES (@id, @spans, @count, @linked, @pending, @arrival, @linkedAt) " +
        $"ON CONFLICT ({TraceRow.TraceIdLowColumn}) DO UPDATE SET {TraceRow.SpansColumn} = excluded.{TraceRow.SpansColumn}, " +
        $"{TraceRow.SpanCountColumn} = excluded.{TraceRow.SpanCountColumn}, {TraceRow.LinkedSpanCountColumn} = excluded.{TraceRow.LinkedSpanCountColumn}, " +
        $"{TraceRow.PendingColumn} = excluded.{TraceRow.PendingColumn}, {TraceRow.LastArrivalColumn} = excluded.{TraceRow.LastArrivalColumn}, " +
        $"{TraceRow.LinkedAtColumn} = excluded.{TraceRow.LinkedAtColumn}";

    /// <summary>
    /// The by-id table's ids, in a filter sized for the linked rows' runs' too (<see cref="TraceRuns"/>),
    /// which <see cref="TraceRuns.Read"/> adds as it reads them: SQLite, the only store that keeps
    /// this filter, reads each table once. Also how many rows the by-id table holds.
    /// </summary>
    internal (StoredTraceIds Ids, long ByIdRows) ReadIds()
    {
        using var count = db.Database.GetDbConnection().CreateCommand();
        count.CommandText = $"SELECT count(*) FROM {TraceRow.Table}";
        var byId = Convert.ToInt64(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        var rows = byId + TraceRunRows.CountRows(db);
        using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"SELECT {TraceRow.TraceIdLowColumn} FROM {TraceRow.Table}";
        using var reader = command.ExecuteReader();
        return (StoredTraceIds.Of(rows, Ids(reader)), byId);
    }

    /// <summary>
    /// Retention's delete of the by-id rows of linked traces (not those still waiting, whatever their
    /// age) whose last span arrived before <paramref name="cutoffUnixMs"/>, in chunks; every store's.
    /// </summary>
    public static Task<int> DeleteLinkedBeforeAsync(DepMapDbContext db, long cutoffUnixMs, int deleteBatchSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return ChunkedDeletes.DeleteAsync(db.Traces.Where(t => !t.Pending && t.LastArrivalUnixMs < cutoffUnixMs), deleteBatchSize, turn: null, cancellationToken);
    }

    private static IEnumerable<long> Ids(System.Data.Common.DbDataReader reader)
    {
        while (reader.Read())
        {
            yield return reader.GetInt64(0);
        }
    }

    /// <summary>The rows of those of <paramref name="traceIdLows"/> seen before, by trace; on the open connection, outside any transaction.</summary>
    public Dictionary<long, TraceRow> FindMany(IReadOnlyCollection<long> traceIdLows)
    {
        ArgumentNullException.ThrowIfNull(traceIdLows);
        var rows = new Dictionary<long, TraceRow>();
        if (traceIdLows.Count == 0)
        {
            return rows;
        }
        using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = FindManySql;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@ids";
        parameter.DbType = DbType.String;
        parameter.Value = "[" + string.Join(',', traceIdLows) + "]";
        command.Parameters.Add(parameter);
        using var reader = command.ExecuteReader();
        return ReadAll(reader, rows);
    }

    /// <summary>
    /// Up to <paramref name="limit"/> pending rows whose last span arrived at or before
    /// <paramref name="arrivedBy"/>, in (last arrival, trace) order after <paramref name="after"/>.
    /// </summary>
    public List<TraceRow> ReadPending(long arrivedBy, (long Arrival, long TraceIdLow)? after, int limit)
    {
        using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = PendingSql;
        var (afterArrival, afterTrace) = after ?? (long.MinValue, long.MinValue);
        foreach (var (name, value) in new[] { ("@arrivedBy", arrivedBy), ("@afterArrival", afterArrival), ("@afterTrace", afterTrace), ("@limit", (long)limit) })
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.DbType = DbType.Int64;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        using var reader = command.ExecuteReader();
        return [.. ReadAll(reader, []).Values.OrderBy(r => r.LastArrivalUnixMs).ThenBy(r => r.TraceIdLow)];
    }

    /// <summary>Adds every row of <paramref name="reader"/> (selecting <see cref="Columns"/>) to <paramref name="rows"/>, by trace.</summary>
    internal static Dictionary<long, TraceRow> ReadAll(System.Data.Common.DbDataReader reader, Dictionary<long, TraceRow> rows)
    {
        while (reader.Read())
        {
            var row = new TraceRow
            {
                TraceIdLow = reader.GetInt64(0),
                Spans = reader.GetFieldValue<byte[]>(1),
                SpanCount = reader.GetInt32(2),
                LinkedSpanCount = reader.GetInt32(3),
                Pending = reader.GetBoolean(4),
                LastArrivalUnixMs = reader.GetInt64(5),
                LinkedAtUnixMs = reader.IsDBNull(6) ? null : reader.GetInt64(6),
            };
            rows[row.TraceIdLow] = row;
        }
        return rows;
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
            upsert.Bind(0, row.TraceIdLow);
            upsert.Bind(1, row.Spans);
            upsert.Bind(2, row.SpanCount);
            upsert.Bind(3, row.LinkedSpanCount);
            upsert.Bind(4, row.Pending);
            upsert.Bind(5, row.LastArrivalUnixMs);
            upsert.Bind(6, row.LinkedAtUnixMs);
            upsert.Step();
        }
    }
}
