using Microsoft.Data.Sqlite;

namespace DepMap.LoadTest;

/// <summary>
/// What the server's SQLite files hold: span rows and their bytes on disk. The span table is in the
/// span file beside the database (<c>depmap.db</c> → <c>depmap.spans.db</c>, DepMap.Storage's
/// SpanFile), attached here as the server attaches it. Sizes are both files plus their write-ahead logs.
/// </summary>
internal static class DatabaseReport
{
    public static long MaxSpanId(string database) => Scalar(database, "SELECT coalesce(max(id), 0) FROM spans", 0);

    public static long SpanRowsAfter(string database, long id) => Scalar(database, "SELECT count(*) FROM spans WHERE id > $id", id);

    public static void Print(string database)
    {
        var spanFile = SpanFilePath(database);
        var files = Size(database) + Size(database + "-wal") + Size(spanFile) + Size(spanFile + "-wal");
        using var connection = Open(database);
        // One read transaction: every figure comes from the same snapshot even while an aggregation runs.
        using var snapshot = connection.BeginTransaction(deferred: true);
        var rows = Query(snapshot, "SELECT 'rows', count(*) FROM spans").Single().Value;
        var pageSize = Query(snapshot, "PRAGMA page_size").Single().Value;
        var used = Query(snapshot, "PRAGMA page_count").Single().Value - Query(snapshot, "PRAGMA freelist_count").Single().Value
            + Query(snapshot, "PRAGMA spanfile.page_count").Single().Value - Query(snapshot, "PRAGMA spanfile.freelist_count").Single().Value;
        Console.WriteLine($"database {rows:N0} span rows; files + WALs {files:N0} bytes, pages in use {used * pageSize:N0} bytes: " +
            $"{(rows == 0 ? 0 : used * pageSize / (double)rows):N0} bytes per stored span (both files)");
        // dbstat is not compiled into the bundled SQLite, so per-table figures are the stored values'
        // own bytes; the whole-file figure above includes every b-tree's page overhead.
        var blobs = Query(snapshot, "SELECT 'data', coalesce(sum(length(data)), 0) FROM spans").Single().Value;
        if (rows > 0)
        {
            Console.WriteLine($"span records {blobs / (double)rows:N1} bytes each (the encoded span without its trace id)");
            var traces = Query(snapshot, "SELECT 'traces', count(DISTINCT trace_id_low) FROM spans").Single().Value;
            Console.WriteLine($"distinct trace ids {traces:N0}: {rows / (double)traces:N1} spans per trace");
        }
        if (Query(snapshot, "SELECT 'traces', count(*) FROM sqlite_master WHERE name = 'traces'").Single().Value == 1)
        {
            var traced = Query(snapshot, "SELECT 'spans', coalesce(sum(span_count), 0) FROM traces").Single().Value;
            var pending = Query(snapshot, "SELECT 'pending', coalesce(sum(span_count), 0) FROM traces WHERE pending = 1").Single().Value;
            var traceCount = Query(snapshot, "SELECT 'traces', count(*) FROM traces").Single().Value;
            var traceBytes = Query(snapshot, "SELECT 'bytes', coalesce(sum(length(spans)), 0) FROM traces").Single().Value;
            Console.WriteLine($"traces: {traceCount:N0} rows holding {traced:N0} spans ({pending:N0} pending), " +
                $"{(traced == 0 ? 0 : traceBytes / (double)traced):N1} bytes per span in their span lists");
        }
        if (Query(snapshot, "SELECT 'runs', count(*) FROM sqlite_master WHERE name = 'trace_run_pages'").Single().Value == 1)
        {
            var runs = Query(snapshot, "SELECT 'runs', count(DISTINCT run) FROM trace_run_pages").Single().Value;
            var pages = Query(snapshot, "SELECT 'pages', count(*) FROM trace_run_pages").Single().Value;
            var runRows = Query(snapshot, "SELECT 'rows', coalesce(sum(rows), 0) FROM trace_run_pages").Single().Value;
            var runBytes = Query(snapshot, "SELECT 'bytes', coalesce(sum(length(page)), 0) FROM trace_run_pages").Single().Value;
            Console.WriteLine($"linked trace runs: {runs:N0} runs, {pages:N0} pages, {runRows:N0} rows (older copies included), " +
                $"{(runRows == 0 ? 0 : runBytes / (double)runRows):N1} bytes per row");
        }
    }

    private static long Size(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private static string SpanFilePath(string database) =>
        Path.Combine(Path.GetDirectoryName(database) ?? "", Path.GetFileNameWithoutExtension(database) + ".spans" + Path.GetExtension(database));

    private static SqliteConnection Open(string database)
    {
        var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var attach = connection.CreateCommand();
        attach.CommandText = "ATTACH DATABASE $path AS spanfile";
        attach.Parameters.AddWithValue("$path", SpanFilePath(database));
        attach.ExecuteNonQuery();
        return connection;
    }

    private static long Scalar(string database, string sql, long id)
    {
        using var connection = Open(database);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", id);
        return (long)command.ExecuteScalar()!;
    }

    private static List<(string Name, long Value)> Query(SqliteTransaction transaction, string sql)
    {
        using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var result = new List<(string, long)>();
        while (reader.Read())
        {
            result.Add(reader.FieldCount == 1 ? ("", reader.GetInt64(0)) : (reader.GetString(0), reader.GetInt64(1)));
        }
        return result;
    }
}
