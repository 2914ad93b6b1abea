using DepMap.Storage.Spans;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.Aggregation;

internal static class SqliteTuning
{
    /// <summary>
    /// A run reads batches of spans and writes every statistics row of the buckets they touch: a
    /// 64 MiB page cache per connection (SQLite's default is 2 MiB) made a 10 M-span rebuild about
    /// a fifth faster. Memory-mapping the files no longer does, now that the spans are in a file of
    /// their own (docs/benchmarks.md), and the mapped pages of three connections counted up to
    /// 500 MiB into the process's resident memory. A write lock held by another process is waited
    /// for by SQLite's busy handler, as the span writer does.
    /// </summary>
    public static async Task TuneAsync(DepMapDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync(
                $"PRAGMA cache_size=-65536; PRAGMA busy_timeout={SqliteSpanAppender.BusyTimeoutMs};",
                cancellationToken);
        }
    }
}
