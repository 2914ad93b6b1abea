using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace DepMap.Storage.Aggregation;

/// <summary>
/// The SQL of the linked trace rows' runs on SQLite (<see cref="TraceRuns"/> says why runs): a run's
/// rows are written in trace order, in pages of consecutive traces (<see cref="TraceRunPage"/>), under a
/// run id larger than any before, so they fill new pages at the end of the table; a trace's newest row
/// is in its newest run; a merge copies a suffix of runs into a new run, newest row per trace, in trace
/// order again.
/// </summary>
public static class TraceRunRows
{
    public const string Table = "trace_run_pages";
    public const string RunColumn = "run";
    public const string FirstTraceColumn = "first_trace_id_low";
    public const string RowsColumn = "rows";
    public const string LastArrivalColumn = "last_arrival_unix_ms";
    public const string PageColumn = "page";

    // A rowid table with its key as an index: a page is a few kilobytes, past what SQLite advises for
    // a WITHOUT ROWID table's rows.
    internal const string CreateTableSql =
        $"CREATE TABLE {Table} ({RunColumn} INTEGER NOT NULL, {FirstTraceColumn} INTEGER NOT NULL, {RowsColumn} INTEGER NOT NULL, " +
        $"{LastArrivalColumn} INTEGER NOT NULL, {PageColumn} BLOB NOT NULL, UNIQUE ({RunColumn}, {FirstTraceColumn}));";

    private const string InsertSql =
        $"INSERT INTO {Table} ({RunColumn}, {FirstTraceColumn}, {RowsColumn}, {LastArrivalColumn}, {PageColumn}) VALUES (@run, @first, @rows, @arrival, @page)";

    // A trace linked now leaves the by-id table (a row that waited there, or one from before the runs).
    private const string DeleteByIdSql = $"DELETE FROM {TraceRow.Table} WHERE {TraceRow.TraceIdLowColumn} = @id";

    // The page of a run that would hold a trace: the last one starting at or before it.
    private const string FindSql =
        $"SELECT {PageColumn} FROM {Table} WHERE {RunColumn} = @run AND {FirstTraceColumn} <= @id ORDER BY {FirstTraceColumn} DESC LIMIT 1";

    // A merge reads each run's pages a few at a time, so that no reader is open while it writes.
    private const int PagesPerRead = 16;
    private const string PagesPerReadText = "16";

    // The first read takes the pages from @after on (any trace id, long.MinValue too); the next ones those after it.
    private const string FirstPagesSql =
        $"SELECT {FirstTraceColumn}, {PageColumn} FROM {Table} WHERE {RunColumn} = @run AND {FirstTraceColumn} >= @after " +
        $"ORDER BY {FirstTraceColumn} LIMIT {PagesPerReadText}";

    private const string NextPagesSql =
        $"SELECT {FirstTraceColumn}, {PageColumn} FROM {Table} WHERE {RunColumn} = @run AND {FirstTraceColumn} > @after " +
        $"ORDER BY {FirstTraceColumn} LIMIT {PagesPerReadText}";

    private const string DeleteRunsSql = $"DELETE FROM {Table} WHERE {RunColumn} >= @from AND {RunColumn} <= @to";

    /// <summary>
    /// Inserts <paramref name="rows"/> (linked, in trace order) as run <paramref name="run"/>, inside the
    /// open transaction, deleting each trace's by-id row when <paramref name="byIdRowsPossible"/>.
    /// </summary>
    internal static void Write(DbContext db, long run, IReadOnlyList<TraceRow> rows, bool byIdRowsPossible)
    {
        using var pages = new PageWriter(db, run);
        using var delete = byIdRowsPossible ? new PreparedCommand(db, DeleteByIdSql, ("@id", DbType.Int64)) : null;
        foreach (var row in rows)
        {
            pages.Add(row);
            if (delete is not null)
            {
                delete.Bind(0, row.TraceIdLow);
                delete.Step();
            }
        }
    }

    /// <summary>The row of each (run, trace) in <paramref name="wanted"/> that exists, by trace; on the open connection, outside any transaction.</summary>
    internal static void Find(DbContext db, IEnumerable<(long Run, long TraceIdLow)> wanted, Dictionary<long, TraceRow> found)
    {
        using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = FindSql;
        var run = Parameter(command, "@run");
        var id = Parameter(command, "@id");
        foreach (var key in wanted)
        {
            run.Value = key.Run;
            id.Value = key.TraceIdLow;
            if (command.ExecuteScalar() is byte[] bytes && new TraceRunPage.Reader(bytes) is var page && page.IndexOf(key.TraceIdLow) is >= 0 and var index)
            {
                found[key.TraceIdLow] = page.RowAt(index);
            }
        }
    }

    /// <summary>
    /// Copies the newest row per trace of runs [<paramref name="from"/>, <paramref name="to"/>] into
    /// run <paramref name="into"/>, inside the open transaction; returns the merged run's traces, in order
    /// (at most <paramref name="rows"/>, the merged runs' rows: the list is made that large at once).
    /// </summary>
    internal static List<long> Merge(DbContext db, long from, long to, long into, long rows = 0)
    {
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("A merge runs inside the caller's transaction.");
        var cursors = new List<RunCursor>();
        using (var runs = db.Database.GetDbConnection().CreateCommand())
        {
            runs.Transaction = transaction;
            runs.CommandText = $"SELECT DISTINCT {RunColumn} FROM {Table} WHERE {RunColumn} >= {from} AND {RunColumn} <= {to} ORDER BY {RunColumn}";
            using var reader = runs.ExecuteReader();
            while (reader.Read())
            {
                cursors.Add(new RunCursor(reader.GetInt64(0)));
            }
        }
        using var first = new PagesRead(db, transaction, FirstPagesSql);
        using var next = new PagesRead(db, transaction, NextPagesSql);
        // The smallest trace first and, for one trace, the newest run's row: the one kept.
        var heads = new PriorityQueue<RunCursor, (long TraceIdLow, long NewestFirst)>();
        foreach (var cursor in cursors)
        {
            if (cursor.MoveNext(first, next))
            {
                heads.Enqueue(cursor, (cursor.TraceIdLow, -cursor.Run));
            }
        }
        var ids = new List<long>((int)Math.Min(rows, int.MaxValue / 2));
        using var pages = new PageWriter(db, into);
        while (heads.TryDequeue(out var cursor, out var key))
        {
            if (ids.Count == 0 || ids[^1] != key.TraceIdLow)
            {
                pages.Add(cursor.Page, cursor.Index);
                ids.Add(key.TraceIdLow);
            }
            if (cursor.MoveNext(first, next))
            {
                heads.Enqueue(cursor, (cursor.TraceIdLow, -cursor.Run));
            }
        }
        return ids;
    }

    /// <summary>Deletes runs [<paramref name="from"/>, <paramref name="to"/>], merged into a newer run before.</summary>
    internal static void DeleteRuns(DbContext db, long from, long to)
    {
        using var delete = new PreparedCommand(db, DeleteRunsSql, ("@from", DbType.Int64), ("@to", DbType.Int64));
        delete.Execute(from, to);
    }

    /// <summary>Every (run, trace) stored, in key order.</summary>
    internal static IEnumerable<(long Run, long TraceIdLow)> ReadKeys(DbContext db)
    {
        using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"SELECT {RunColumn}, {PageColumn} FROM {Table} ORDER BY {RunColumn}, {FirstTraceColumn}";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var run = reader.GetInt64(0);
            var page = new TraceRunPage.Reader(reader.GetFieldValue<byte[]>(1));
            for (var i = 0; i < page.Count; i++)
            {
                yield return (run, page.IdAt(i));
            }
        }
    }

    /// <summary>Rows in every run's pages, older copies of a trace included.</summary>
    internal static long CountRows(DbContext db)
    {
        using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"SELECT coalesce(sum({RowsColumn}), 0) FROM {Table}";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Retention's delete of the pages whose every row's last span arrived before
    /// <paramref name="cutoffUnixMs"/>, in chunks of <paramref name="deleteBatchSize"/> pages; returns
    /// the rows deleted. A page with a newer row stays whole until a merge copies its rows on.
    /// </summary>
    internal static async Task<int> DeleteExpiredAsync(DbContext db, long cutoffUnixMs, int deleteBatchSize, CancellationToken cancellationToken)
    {
        const string expired = $"SELECT rowid FROM {Table} WHERE {LastArrivalColumn} < {{0}} LIMIT {{1}}";
        var rows = 0;
        while (true)
        {
            var pageRows = await db.Database.SqlQueryRaw<int?>(
                $"SELECT sum({RowsColumn}) AS \"Value\" FROM {Table} WHERE rowid IN ({expired})", cutoffUnixMs, deleteBatchSize)
                .SingleAsync(cancellationToken);
            if (pageRows is not { } deleted)
            {
                return rows;
            }
            await db.Database.ExecuteSqlRawAsync($"DELETE FROM {Table} WHERE rowid IN ({expired})", [cutoffUnixMs, deleteBatchSize], cancellationToken);
            rows += deleted;
        }
    }

    /// <summary>Those of <paramref name="traceIdLows"/> that some run holds; on the open connection.</summary>
    internal static HashSet<long> Holding(DbContext db, IReadOnlyCollection<long> traceIdLows)
    {
        var runs = new List<long>();
        using (var command = db.Database.GetDbConnection().CreateCommand())
        {
            command.CommandText = $"SELECT DISTINCT {RunColumn} FROM {Table}";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                runs.Add(reader.GetInt64(0));
            }
        }
        var found = new Dictionary<long, TraceRow>();
        Find(db, runs.SelectMany(run => traceIdLows.Select(id => (run, id))), found);
        return [.. found.Keys];
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
            command.CommandText = $"SELECT {PageColumn} FROM {Table} ORDER BY {RunColumn} DESC";
            using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var page = new TraceRunPage.Reader(reader.GetFieldValue<byte[]>(0));
                for (var i = 0; i < page.Count; i++)
                {
                    if (!rows.ContainsKey(page.IdAt(i)))
                    {
                        rows.Add(page.IdAt(i), page.RowAt(i));
                    }
                }
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        return [.. rows.Values.OrderBy(r => r.TraceIdLow)];
    }

    private static DbParameter Parameter(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = DbType.Int64;
        command.Parameters.Add(parameter);
        return parameter;
    }

    /// <summary>Fills pages in trace order and inserts each as it is full, the last on dispose.</summary>
    private sealed class PageWriter(DbContext db, long run) : IDisposable
    {
        private readonly PreparedCommand _insert = new(db, InsertSql,
            ("@run", DbType.Int64), ("@first", DbType.Int64), ("@rows", DbType.Int32), ("@arrival", DbType.Int64), ("@page", DbType.Binary));
        private readonly TraceRunPage.Builder _page = new();

        public void Add(TraceRow row)
        {
            FlushIfFull();
            _page.Add(row);
        }

        public void Add(TraceRunPage.Reader page, int index)
        {
            FlushIfFull();
            _page.Add(page, index);
        }

        private void FlushIfFull()
        {
            if (_page.IsFull)
            {
                Flush();
            }
        }

        private void Flush()
        {
            if (_page.Count == 0)
            {
                return;
            }
            _insert.Bind(0, run);
            _insert.Bind(1, _page.FirstId);
            _insert.Bind(2, _page.Count);
            _insert.Bind(3, _page.LastArrivalUnixMs);
            _insert.Bind(4, _page.ToArray());
            _insert.Step();
            _page.Clear();
        }

        public void Dispose()
        {
            Flush();
            _insert.Dispose();
        }
    }

    /// <summary>A read of a run's next pages, prepared once for every run of a merge.</summary>
    private sealed class PagesRead : IDisposable
    {
        public PagesRead(DbContext db, DbTransaction transaction, string sql)
        {
            Command = db.Database.GetDbConnection().CreateCommand();
            Command.Transaction = transaction;
            Command.CommandText = sql;
            Run = Parameter(Command, "@run");
            After = Parameter(Command, "@after");
        }

        public DbCommand Command { get; }

        public DbParameter Run { get; }

        public DbParameter After { get; }

        public void Dispose() => Command.Dispose();
    }

    /// <summary>One run's rows in trace order, its pages read a few at a time.</summary>
    private sealed class RunCursor(long run)
    {
        private readonly Queue<byte[]> _pages = new();
        private long _lastFirst = long.MinValue;
        private bool _started;
        private bool _exhausted;

        public long Run { get; } = run;

        public TraceRunPage.Reader Page { get; private set; }

        public int Index { get; private set; } = -1;

        public long TraceIdLow => Page.IdAt(Index);

        public bool MoveNext(PagesRead first, PagesRead next)
        {
            if (Index >= 0 && Index + 1 < Page.Count)
            {
                Index++;
                return true;
            }
            if (_pages.Count == 0 && !_exhausted)
            {
                var read = _started ? next : first;
                _started = true;
                read.Run.Value = Run;
                read.After.Value = _lastFirst;
                using var reader = read.Command.ExecuteReader();
                while (reader.Read())
                {
                    _lastFirst = reader.GetInt64(0);
                    _pages.Enqueue(reader.GetFieldValue<byte[]>(1));
                }
                _exhausted = _pages.Count < PagesPerRead;
            }
            if (!_pages.TryDequeue(out var bytes))
            {
                return false;
            }
            Page = new TraceRunPage.Reader(bytes);
            Index = 0;
            return true;
        }
    }
}
