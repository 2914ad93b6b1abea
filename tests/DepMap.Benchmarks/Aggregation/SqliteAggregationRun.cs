using System.Diagnostics;
using DepMap.Storage;
using DepMap.Storage.Aggregation;
using DepMap.Storage.Spans;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace DepMap.Benchmarks.Aggregation;

/// <summary>
/// End to end through SQLite: appends N synthetic spans to a fresh database with the ingest
/// appender, then times one flush aggregation (intake into trace rows, linking, bucket writes),
/// and reports spans per second and the bytes on disk per stored span.
/// Run: <c>dotnet run -c Release --project tests/DepMap.Benchmarks -- aggregate-sqlite 1000000 [--spread-hours 24] [--ring 500]</c>;
/// without a spread every trace starts in the same minute; <c>--ring</c> takes the load generator's
/// sparse ring of that many services instead of the 50-service full mesh. After the flush, the
/// graph reads (<see cref="WindowReads"/>) and <c>/graph.json</c> from the real server started on
/// the bench's files (<see cref="GraphEndpointTimes"/>, after <c>--warm-up-requests</c> per window,
/// default 1); <c>--no-window-reads</c> leaves both out (so a trace of the process holds the
/// flush's allocations alone). <c>--spans-cache DIR</c> keeps the appended database in DIR and, when
/// DIR already holds one of the same spans, copies it instead of appending again: alternate A/B
/// runs of the flush then take half the time and time the same stored spans. <c>--batch N</c> sets
/// the flush's spans a batch (<c>Aggregation:SpanBatchSize</c>; else the store's own, 25,000).
/// </summary>
internal static class SqliteAggregationRun
{
    public static async Task<int> RunAsync(int spans, double spreadHours, int ringServices, bool windowReads = true, int warmUpRequests = 1, string? spansCache = null, int? batchSize = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "depmap-bench", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "depmap.db");
        var connectionString = $"Data Source={path}";
        try
        {
            var options = new DbContextOptionsBuilder<DepMapDbContext>().UseDepMapSqlite(connectionString).Options;
            var cached = spansCache is null ? null : Path.Combine(spansCache, $"spans-{spans}-{spreadHours.ToString(System.Globalization.CultureInfo.InvariantCulture)}-{ringServices}");
            var appendWatch = Stopwatch.StartNew();
            var stored = 0L;
            long? firstStartUnixNano = null;
            if (cached is not null && File.Exists(Path.Combine(cached, "first-start")))
            {
                File.Copy(Path.Combine(cached, "depmap.db"), path);
                File.Copy(Path.Combine(cached, "spans.db"), SpanFile.PathFor(connectionString));
                firstStartUnixNano = long.Parse(File.ReadAllText(Path.Combine(cached, "first-start")), System.Globalization.CultureInfo.InvariantCulture);
                stored = spans;
                // Kept by an older build, the database may lack this one's migrations.
                await using var db = new DepMapDbContext(options);
                DepMapDatabase.Migrate(db);
            }
            else
            {
                await using (var db = new DepMapDbContext(options))
                {
                    DepMapDatabase.Migrate(db);
                }

                var (traces, spansPerTrace) = StoredTraces.Of(spans, spreadHours, ringServices);
                using (var appender = new SqliteSpanAppender(SpanFile.ConnectionStringFor(connectionString), SqliteSynchronous.Normal))
                {
                    foreach (var chunk in traces.Chunk(512 / spansPerTrace))
                    {
                        firstStartUnixNano ??= chunk[0][0].StartUnixNano;
                        var batch = chunk.SelectMany(t => t).Select(EncodedSpan.From).ToArray();
                        appender.Append([batch], DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                        stored += batch.Length;
                    }
                }
                if (cached is not null)
                {
                    // Checkpointed first, so the two files hold every span without their WALs.
                    DatabaseBytes(connectionString);
                    SqliteConnection.ClearAllPools();
                    Directory.CreateDirectory(cached);
                    File.Copy(path, Path.Combine(cached, "depmap.db"), overwrite: true);
                    File.Copy(SpanFile.PathFor(connectionString), Path.Combine(cached, "spans.db"), overwrite: true);
                    File.WriteAllText(Path.Combine(cached, "first-start"), (firstStartUnixNano ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            appendWatch.Stop();
            var beforeAggregation = DatabaseBytes(connectionString);

            var flush = await TimedFlush.RunAsync(new SqliteAggregationEngine(options, NullLogger<SqliteAggregationEngine>.Instance), batchSize);
            var afterAggregation = DatabaseBytes(connectionString);

            Console.WriteLine($"spans {(cached is not null && appendWatch.Elapsed.TotalSeconds < 10 ? "copied  " : "appended")}        {stored:N0} in {appendWatch.Elapsed.TotalSeconds:F2} s ({stored / appendWatch.Elapsed.TotalSeconds:N0} spans/s, synchronous=Normal)");
            flush.Print("(the wall time on a busy machine varies more)");
            Console.WriteLine($"  SQLite's memory     {SQLitePCL.raw.sqlite3_memory_highwater(0) / 1048576.0:F0} MiB at most (its own allocator's high-water mark, every connection of the process)");
            if (windowReads)
            {
                await WindowReads.ReportWithEndpointAsync(options, "Sqlite", connectionString, firstStartUnixNano ?? 0, warmUpRequests);
            }
            Console.WriteLine($"disk, raw spans only  {beforeAggregation / (double)stored:F0} bytes/span");
            Console.WriteLine($"disk, after aggregate {afterAggregation / (double)stored:F0} bytes/span (spans + trace rows + statistics)");
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The database's and the span file's size once their WALs are checkpointed into them.</summary>
    private static long DatabaseBytes(string connectionString) => FileBytes(connectionString) + FileBytes(SpanFile.ConnectionStringFor(connectionString));

    private static long FileBytes(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        Scalar(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
        return Scalar(connection, "PRAGMA page_count;") * Scalar(connection, "PRAGMA page_size;");
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The process's working set sampled on a timer: its peak while the flush ran; beside it, the
    /// GC's committed memory and its heap as of the last collection, to tell what of the peak is the
    /// GC's (live objects, or room it keeps committed) and what is not.
    /// </summary>
    internal sealed class PeakMemory : IDisposable
    {
        private readonly Timer _timer;
        private long _peak;
        private long _peakCommitted;
        private long _peakHeap;

        public long PeakCommitted => Interlocked.Read(ref _peakCommitted);

        public long PeakHeap => Interlocked.Read(ref _peakHeap);

        public PeakMemory() => _timer = new Timer(_ => Sample(), null, 0, 50);

        public long Stop()
        {
            _timer.Change(Timeout.Infinite, Timeout.Infinite);
            Sample();
            return Interlocked.Read(ref _peak);
        }

        public void Dispose() => _timer.Dispose();

        private void Sample()
        {
            using var process = Process.GetCurrentProcess();
            Raise(ref _peak, process.WorkingSet64);
            var gc = GC.GetGCMemoryInfo();
            Raise(ref _peakCommitted, gc.TotalCommittedBytes);
            Raise(ref _peakHeap, gc.HeapSizeBytes);
        }

        private static void Raise(ref long peak, long current)
        {
            long seen;
            while (current > (seen = Interlocked.Read(ref peak)) && Interlocked.CompareExchange(ref peak, current, seen) != seen)
            {
            }
        }
    }
}
