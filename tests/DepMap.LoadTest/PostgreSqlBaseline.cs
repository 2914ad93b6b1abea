using System.Diagnostics;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace DepMap.LoadTest;

/// <summary>
/// The limit OTLP ingest into PostgreSQL stands against: binary COPY of real span rows (sampled
/// from the rows a server just stored) into a scratch copy of the span table, with its defaults
/// (the writing transaction's id) and its (tx, id) index, one transaction per group, from one or
/// more writers. No HTTP, no decoding, no queue: only the server's own append rate.
///   dotnet DepMap.LoadTest.dll postgres-baseline --connection CS [--seconds 10] [--rows 4096] [--writers 1]
/// </summary>
internal static class PostgreSqlBaseline
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? Value(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var connectionString = Value("--connection") ?? throw new ArgumentException("--connection is required");
        var seconds = Math.Clamp(int.Parse(Value("--seconds") ?? "10", CultureInfo.InvariantCulture), 1, 60);
        var rowsPerTransaction = Math.Clamp(int.Parse(Value("--rows") ?? "4096", CultureInfo.InvariantCulture), 1, 1_000_000);
        var writers = Math.Clamp(int.Parse(Value("--writers") ?? "1", CultureInfo.InvariantCulture), 1, 16);

        var rows = await SampleAsync(connectionString, 4096);
        if (rows.Count == 0)
        {
            Console.Error.WriteLine("the span table is empty: run the ingest first, the baseline copies its rows");
            return 3;
        }
        await ExecuteAsync(connectionString,
            "DROP TABLE IF EXISTS spans_copy_baseline; CREATE TABLE spans_copy_baseline (LIKE spans INCLUDING DEFAULTS INCLUDING INDEXES)");
        try
        {
            var deadline = Stopwatch.StartNew();
            var counts = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync();
                long inserted = 0;
                while (deadline.Elapsed < TimeSpan.FromSeconds(seconds))
                {
                    await using var transaction = await connection.BeginTransactionAsync();
                    await using (var importer = await connection.BeginBinaryImportAsync(
                        "COPY spans_copy_baseline (trace_id_high, trace_id_low, received_at_unix_ms, data) FROM STDIN (FORMAT BINARY)"))
                    {
                        var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                        for (var i = 0; i < rowsPerTransaction; i++, inserted++)
                        {
                            var row = rows[(int)(inserted % rows.Count)];
                            await importer.StartRowAsync();
                            await importer.WriteAsync(row.High, NpgsqlDbType.Bigint);
                            await importer.WriteAsync(row.Low ^ inserted ^ ((long)w << 48), NpgsqlDbType.Bigint);
                            await importer.WriteAsync(at, NpgsqlDbType.Bigint);
                            await importer.WriteAsync(row.Data, NpgsqlDbType.Bytea);
                        }
                        await importer.CompleteAsync();
                    }
                    await transaction.CommitAsync();
                }
                return inserted;
            })));
            var rate = counts.Sum() / deadline.Elapsed.TotalSeconds;
            Console.WriteLine($"PostgreSQL binary COPY, {rowsPerTransaction:N0} rows per transaction, {writers} writer(s): {rate:N0} rows/s");
            return 0;
        }
        finally
        {
            await ExecuteAsync(connectionString, "DROP TABLE IF EXISTS spans_copy_baseline");
        }
    }

    private static async Task<List<(long High, long Low, byte[] Data)>> SampleAsync(string connectionString, int count)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT trace_id_high, trace_id_low, data FROM spans LIMIT {count}", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(long, long, byte[])>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt64(0), reader.GetInt64(1), (byte[])reader[2]));
        }
        return rows;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
