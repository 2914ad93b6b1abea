using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace DepMap.LoadTest;

/// <summary>
/// The raw limit ingest stands against: one prepared INSERT re-bound per row, one transaction per
/// group of rows, WAL with synchronous=FULL, into a scratch copy of the server's span table filled
/// with real rows the server just stored. No HTTP, no decoding: only SQLite's append rate.
/// </summary>
internal static class SqliteBaseline
{
    public static double Measure(string database, int rowsPerTransaction, TimeSpan duration)
    {
        var (schema, rows) = Sample(database, 4096);
        var scratch = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(database))!, "loadtest-baseline.db");
        Delete(scratch);
        try
        {
            using var connection = new SqliteConnection($"Data Source={scratch};Pooling=False");
            connection.Open();
            Execute(connection, "PRAGMA journal_mode=WAL;");
            Execute(connection, "PRAGMA synchronous=FULL;");
            Execute(connection, schema);
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO spans (trace_id_high, trace_id_low, received_at_unix_ms, data) VALUES ($high, $low, $at, $data)";
            var high = insert.Parameters.Add("$high", SqliteType.Integer);
            var low = insert.Parameters.Add("$low", SqliteType.Integer);
            var at = insert.Parameters.Add("$at", SqliteType.Integer);
            var data = insert.Parameters.Add("$data", SqliteType.Blob);
            long inserted = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < duration)
            {
                using var transaction = connection.BeginTransaction();
                insert.Transaction = transaction;
                insert.Prepare();
                at.Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                for (var i = 0; i < rowsPerTransaction; i++, inserted++)
                {
                    var row = rows[(int)(inserted % rows.Count)];
                    high.Value = row.High;
                    low.Value = row.Low ^ inserted;
                    data.Value = row.Data;
                    insert.ExecuteNonQuery();
                }
                transaction.Commit();
            }
            return inserted / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Delete(scratch);
        }
    }

    private static (string Schema, List<(long High, long Low, byte[] Data)> Rows) Sample(string database, int count)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'spans'";
        var schema = (string)command.ExecuteScalar()!;
        command.CommandText = $"SELECT trace_id_high, trace_id_low, data FROM spans ORDER BY id DESC LIMIT {count}";
        var rows = new List<(long, long, byte[])>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add((reader.GetInt64(0), reader.GetInt64(1), (byte[])reader.GetValue(2)));
        }
        return (schema, rows);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static void Delete(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
    }
}
