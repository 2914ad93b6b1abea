using System.Diagnostics;
using DepMap.Server.Features.Metrics;
using DepMap.Storage;
using DepMap.Storage.Spans;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Features.Aggregation;

/// <summary>
/// Aggregate what arrived since the last run: link every trace that has been quiet for the settle
/// time (every trace when <see cref="Flush"/>) into the statistics.
/// </summary>
internal sealed record AggregateSpans(bool Flush) : IRequest<AggregationResult>;

/// <summary>How many spans the run took in and how many traces it linked.</summary>
internal sealed record AggregationResult(long SpansTakenIn, long TracesLinked);

internal sealed class AggregateSpansHandler(
    DepMapDbContext db,
    DbContextOptions<DepMapDbContext> dbOptions,
    AggregationGate gate,
    AggregationProgress progress,
    IOptions<AggregationOptions> options,
    TimeProvider time,
    DepMapMetrics metrics,
    ServiceGraphMetrics serviceGraph,
    ILogger<AggregateSpansHandler> logger,
    AggregationFaults? faults = null) : IRequestHandler<AggregateSpans, AggregationResult>
{
    public async ValueTask<AggregationResult> Handle(AggregateSpans request, CancellationToken cancellationToken)
    {
        using var _ = await gate.EnterAsync(cancellationToken);
        var settings = options.Value;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var started = Stopwatch.GetTimestamp();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await TuneAsync(db, cancellationToken);
            var batchSize = request.Flush ? settings.SpanBatchSize : settings.RecurringSpanBatchSize;
            await using var linking = new TraceLinking(db, dbOptions, now, batchSize, faults, logger, serviceGraph);
            var settledAt = request.Flush ? (long?)null : now - settings.SettleSeconds * 1000L;
            var result = await linking.RunAsync(settledAt, progress.StatisticsChanged, cancellationToken);
            metrics.AggregationRun(request.Flush, Stopwatch.GetElapsedTime(started), result.TracesLinked);
            return result;
        }
        catch
        {
            metrics.AggregationFailed(request.Flush);
            throw;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// A run reads batches of spans and writes every statistics row of the buckets they touch: a
    /// 64 MiB page cache per connection (SQLite's default is 2 MiB) made a 10 M-span rebuild about
    /// a fifth faster. Memory-mapping the files no longer does, now that the spans are in a file of
    /// their own (49-50 s for 10 M spans either way), and the mapped pages of three
    /// connections counted up to 500 MiB into the process's resident memory. A write lock held by
    /// another process is waited for by SQLite's busy handler, as the span writer does.
    /// </summary>
    internal static async Task TuneAsync(DepMapDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync(
                $"PRAGMA cache_size=-65536; PRAGMA busy_timeout={SqliteSpanAppender.BusyTimeoutMs};",
                cancellationToken);
        }
    }
}
