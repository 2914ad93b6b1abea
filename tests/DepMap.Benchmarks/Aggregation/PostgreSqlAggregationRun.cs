using System.Diagnostics;
using DepMap.Storage;
using DepMap.Storage.PostgreSql;
using DepMap.Storage.PostgreSql.Aggregation;
using DepMap.Storage.Spans;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace DepMap.Benchmarks.Aggregation;

/// <summary>
/// <see cref="SqliteAggregationRun"/> on PostgreSQL: the same synthetic spans into a fresh database
/// on the server named by DEPMAP_TEST_POSTGRES (binary COPY into the day partitions, one transaction
/// per 512 spans as ingest commits them), then one timed flush through the PostgreSQL engine, the
/// graph reads and <c>/graph.json</c> from the real server with <c>Storage:Provider=PostgreSql</c> on that database.
/// Run: <c>DEPMAP_TEST_POSTGRES=… dotnet run -c Release --project tests/DepMap.Benchmarks -- aggregate-postgres 1000000 [--spread-hours 24] [--ring 500]</c>;
/// <c>--no-window-reads</c> and <c>--batch N</c> as in <see cref="SqliteAggregationRun"/> (the store's own batch here is 100,000).
/// </summary>
internal static class PostgreSqlAggregationRun
{
    public static async Task<int> RunAsync(int spans, double spreadHours, int ringServices, bool windowReads = true, int warmUpRequests = 1, int? batchSize = null)
    {
        var server = Environment.GetEnvironmentVariable("DEPMAP_TEST_POSTGRES")
            ?? throw new InvalidOperationException("Set DEPMAP_TEST_POSTGRES to a server's Npgsql connection string (scripts/postgres.sh start DIR prints one).");
        var name = "depmap_bench_" + Guid.NewGuid().ToString("n");
        await ExecuteAsync(server, $"CREATE DATABASE {name}");
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        try
        {
            var options = new DbContextOptionsBuilder<DepMapDbContext>().UseDepMapPostgreSql(connectionString).Options;
            await using (var db = new DepMapDbContext(options))
            {
                PostgreSqlDatabase.Migrate(db);
            }

            var (traces, spansPerTrace) = StoredTraces.Of(spans, spreadHours, ringServices);
            var appendWatch = Stopwatch.StartNew();
            var stored = 0L;
            long? firstStartUnixNano = null;
            await using (var connection = new NpgsqlConnection(connectionString))
            {
                await connection.OpenAsync();
                var partitioned = long.MinValue;
                foreach (var chunk in traces.Chunk(512 / spansPerTrace))
                {
                    firstStartUnixNano ??= chunk[0][0].StartUnixNano;
                    var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    if (now / 86_400_000 != partitioned)
                    {
                        await using var partition = new NpgsqlCommand("SELECT depmap_span_partition(@at)", connection);
                        partition.Parameters.AddWithValue("at", now);
                        await partition.ExecuteScalarAsync();
                        partitioned = now / 86_400_000;
                    }
                    await using var transaction = await connection.BeginTransactionAsync();
                    await using (var copy = await connection.BeginBinaryImportAsync("COPY spans (trace_id_high, trace_id_low, received_at_unix_ms, data) FROM STDIN (FORMAT BINARY)"))
                    {
                        foreach (var span in chunk.SelectMany(t => t).Select(EncodedSpan.From))
                        {
                            await copy.StartRowAsync();
                            await copy.WriteAsync(span.TraceIdHigh, NpgsqlDbType.Bigint);
                            await copy.WriteAsync(span.TraceIdLow, NpgsqlDbType.Bigint);
                            await copy.WriteAsync(now, NpgsqlDbType.Bigint);
                            await copy.WriteAsync(span.Data, NpgsqlDbType.Bytea);
                            stored++;
                        }
                        await copy.CompleteAsync();
                    }
                    await transaction.CommitAsync();
                }
            }
            appendWatch.Stop();
            await ExecuteAsync(connectionString, "VACUUM ANALYZE");

            var flush = await TimedFlush.RunAsync(new PostgreSqlAggregationEngine(options, NullLogger<PostgreSqlAggregationEngine>.Instance), batchSize);

            Console.WriteLine($"spans appended        {stored:N0} in {appendWatch.Elapsed.TotalSeconds:F2} s ({stored / appendWatch.Elapsed.TotalSeconds:N0} spans/s, binary COPY, 512 spans a transaction)");
            flush.Print("in this process (PostgreSQL's own CPU is not counted)");
            if (windowReads)
            {
                await WindowReads.ReportWithEndpointAsync(options, "PostgreSql", connectionString, firstStartUnixNano ?? 0, warmUpRequests);
            }
            return 0;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }
}
