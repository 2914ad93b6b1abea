using System.Data;
using System.Globalization;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.Aggregation;

/// <summary>
/// The SQL of the linked trace rows' runs on SQLite (<see cref="TraceRuns"/> says why runs): a run's
/// rows are written in trace order under a run id larger than any before, so they fill new pages at
/// the end of the table; a trace's newest row is in its newest run; a merge copies a suffix of runs
/// into the newest of them, newest row per trace, in trace order again.
/// </summary>
public static class TraceRunRows
{
    public const string Table = "trace_runs";
    public const string RunColumn = "run";

    internal const string CreateTableSql =
        $"CREATE TABLE {Table} ({RunColumn} INTEGER NOT NULL, {TraceRow.TraceIdLowColumn} INTEGER NOT NULL, {TraceRow.SpansColumn} BLOB NOT NULL, " +
        $"{TraceRow.SpanCountColumn} INTEGER NOT NULL, {TraceRow.LinkedSpanCountColumn} INTEGER NOT NULL, {TraceRow.LastArrivalColumn} INTEGER NOT NULL, " +
        $"{TraceRow.LinkedAtColumn} INTEGER, PRIMARY KEY ({RunColumn}, {TraceRow.TraceIdLowColumn})) WITHOUT ROWID;";

    internal const string BackIntoTracesSql =
        $"INSERT OR IGNORE INTO {TraceRow.Table} ({RowColumns}, {TraceRow.PendingColumn}) SELECT {RowColumns}, 0 FROM {Table} ORDER BY {RunColumn} DESC;";

    private const string RowColumns =
        $"{TraceRow.TraceIdLowColumn}, {TraceRow.SpansColumn}, {TraceRow.SpanCountColumn}, {TraceRow.LinkedSpanCountColumn}, " +
        $"{TraceRow.LastArrivalColumn}, {TraceRow.LinkedAtColumn}";

    private const string InsertSql =
        $"INSERT INTO {Table} ({RunColumn}, {RowColumns}) VALUES (@run, @id, @spans, @count, @linked, @arrival, @linkedAt)";

    // A trace linked now leaves the by-id table (a row that waited there, or one from before the runs).
    private const string DeleteByIdSql = $"DELETE FROM {TraceRow.Table} WHERE {TraceRow.TraceIdLowColumn} = @id";

    private const string FindSql = $"SELECT {RowColumns} FROM {Table} WHERE {RunColumn} = @run AND {TraceRow.TraceIdLowColumn} = @id";

    // Newest first per trace (INSERT OR IGNORE keeps the first), rows of the target run itself being the newest of all.
    private const string MergeSql =
        $"INSERT OR IGNORE INTO {Table} ({RunColumn}, {RowColumns}) SELECT @to, {RowColumns} FROM {Table} " +
        $"WHERE {RunColumn} >= @from AND {RunColumn} < @to ORDER BY {TraceRow.TraceIdLowColumn}, {RunColumn} DESC";

    private const string DeleteRunsSql = $"DELETE FROM {Table} WHERE {RunColumn} >= @from AND {RunColumn} < @to";

    /// <summary>Inserts <paramref name="rows"/> (linked, in trace order) as run <paramref name="run"/>, inside the open transaction.</summary>
    internal static void Write(DbContext db, long run, IReadOnlyList<TraceRow> rows)
    {
        using var insert = new PreparedCommand(db, InsertSql,
            ("@run", DbType.Int64), ("@id", DbType.Int64), ("@spans", DbType.Binary), ("@count", DbType.Int32), ("@linked", DbType.Int32),
            ("@arrival", DbType.Int64), ("@linkedAt", DbType.Int64));
        using var delete = new PreparedCommand(db, DeleteByIdSql, ("@id", DbType.Int64));
        foreach (var row in rows)
        {
            insert.Bind(0, run);
            insert.Bind(1, row.TraceIdLow);
            insert.Bind(2, row.Spans);
            insert.Bind(3, row.SpanCount);
            insert.Bind(4, row.LinkedSpanCount);
            insert.Bind(5, row.LastArrivalUnixMs);
            insert.Bind(6, row.LinkedAtUnixMs);
            insert.Step();
            delete.Bind(0, row.TraceIdLow);
            delete.Step();
        }
    }

    /// <summary>The row of each (run, trace) in <paramref name="wanted"/> that exists, by trace; on the open connection, outside any transaction.</summary>
    internal static void Find(DbContext db, IEnumerable<(long Run, long TraceIdLow)> wanted, Dictionary<long, TraceRow> found)
    {
        using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = FindSql;
        var run = command.CreateParameter();
        run.ParameterName = "@run";
        run.DbType = DbType.Int64;
        var id = command.CreateParameter();
        id.ParameterName = "@id";
        id.DbType = DbType.Int64;
        command.Parameters.Add(run);
        command.Parameters.Add(id);
        foreach (var key in wanted)
        {
            run.Value = key.Run;
            id.Value = key.TraceIdLow;
            using var reader = command.ExecuteReader();
            if (reader.Read())
            {
                var row = ReadRow(reader);
                found[row.TraceIdLow] = row;
            }
        }
    }

    /// <summary>Copies the newest row per trace of runs [<paramref name="from"/>, <paramref name="to"/>) into run <paramref name="to"/>, inside the open transaction.</summary>
    internal static void Merge(DbContext db, long from, long to)
    {
        using var merge = new PreparedCommand(db, MergeSql, ("@from", DbType.Int64), ("@to", DbType.Int64));
        merge.Execute(from, to);
    }

    /// <summary>Deletes runs [<paramref name="from"/>, <paramref name="to"/>), merged into <paramref name="to"/> before.</summary>
    internal static void DeleteRuns(DbContext db, long from, long to)
    {
        using var delete = new PreparedCommand(db, DeleteRunsSql, ("@from", DbType.Int64), ("@to", DbType.Int64));
        delete.Execute(from, to);
    }

    /// <summary>Every (run, trace) stored, in key order.</summary>
    internal static IEnumerable<(long Run, long TraceIdLow)> ReadKeys(DbContext db)
    {
        using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"SELECT {RunColumn}, {TraceRow.TraceIdLowColumn} FROM {Table} ORDER BY {RunColumn}, {TraceRow.TraceIdLowColumn}";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return (reader.GetInt64(0), reader.GetInt64(1));
        }
    }

    /// <summary>The traces of run <paramref name="run"/>, in order.</summary>
    internal static List<long> ReadRun(DbContext db, long run)
    {
        using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"SELECT {TraceRow.TraceIdLowColumn} FROM {Table} WHERE {RunColumn} = {run.ToString(CultureInfo.InvariantCulture)}";
        using var reader = command.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }
        return ids;
    }

    /// <summary>
    /// Every trace's current row on SQLite: its row in the by-id table (waiting, or from before the
    /// runs) if any, else its newest run's. What a test or a report compares; the aggregation reads
    /// only the rows it needs. On another store, the by-id table alone.
    /// </summary>
    public static async Task<List<TraceRow>> ReadCurrentAsync(DepMapDbContext db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rows = (await db.Traces.AsNoTracking().ToListAsync(cancellationToken)).ToDictionary(r => r.TraceIdLow);
        if (!db.Database.IsSqlite())
        {
            return [.. rows.Values];
        }
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = $"SELECT {RowColumns} FROM {Table} ORDER BY {RunColumn} DESC";
            using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var row = ReadRow(reader);
                rows.TryAdd(row.TraceIdLow, row);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        return [.. rows.Values.OrderBy(r => r.TraceIdLow)];
    }

    internal static TraceRow ReadRow(System.Data.Common.DbDataReader reader) => new()
    {
        TraceIdLow = reader.GetInt64(0),
        Spans = reader.GetFieldValue<byte[]>(1),
        SpanCount = reader.GetInt32(2),
        LinkedSpanCount = reader.GetInt32(3),
        Pending = false,
        LastArrivalUnixMs = reader.GetInt64(4),
        LinkedAtUnixMs = reader.IsDBNull(5) ? null : reader.GetInt64(5),
    };
}
