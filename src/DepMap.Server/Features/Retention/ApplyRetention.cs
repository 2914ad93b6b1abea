using DepMap.Core.Statistics;
using DepMap.Server.Features.Aggregation;
using DepMap.Storage;
using DepMap.Storage.PostgreSql.Aggregation;
using DepMap.Storage.PostgreSql.Spans;
using DepMap.Storage.Spans;
using DepMap.Storage.Statistics;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Features.Retention;

/// <summary>Delete raw spans, linked traces (and their links to other traces) and statistics buckets older than their retention.</summary>
internal sealed record ApplyRetention : IRequest<RetentionResult>;

internal sealed record RetentionResult(int Spans, int Traces, int TraceLinks, int MinuteRows, int HourRows);

internal sealed class ApplyRetentionHandler(
    DepMapDbContext db,
    AggregationGate gate,
    SpanFileWriteLock spanFileLock,
    IOptions<RetentionOptions> options,
    TimeProvider time) : IRequestHandler<ApplyRetention, RetentionResult>
{
    public async ValueTask<RetentionResult> Handle(ApplyRetention request, CancellationToken cancellationToken)
    {
        // Under the aggregation's gate: a trace must not vanish between a run's read and its commit.
        using var _ = await gate.EnterAsync(cancellationToken);
        // On PostgreSQL the gate holds only this instance's runs; the advisory lock every instance's
        // runs take holds theirs (taken before any write, so a flush waiting for older transactions
        // never waits for this one).
        await using var clusterTurn = db.Database.IsNpgsql()
            ? await PostgreSqlAggregationStore.HoldLockAsync(db.Database.GetConnectionString()!, cancellationToken)
            : null;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var settings = options.Value;
        var rawCutoff = now - (long)settings.RawSpans.TotalMilliseconds;

        var spans = db.Database.IsNpgsql()
            ? await DropPartitionsAsync(rawCutoff, cancellationToken)
            : await DeleteSpansAsync(rawCutoff, cancellationToken);
        // A trace still waiting to be linked is kept whatever its age.
        var traces = await DeleteAsync(db.Traces.Where(t => !t.Pending && t.LastArrivalUnixMs < rawCutoff), null, cancellationToken);
        // A link whose consumer trace is gone can never re-link it (its spans went with it); without
        // this the index of links across traces grew for ever.
        var links = await DeleteAsync(db.TraceLinks.Where(l => !db.Traces.Any(t => t.TraceIdLow == l.SourceTraceIdLow)), null, cancellationToken);

        var minuteRows = await DeleteBucketsAsync(BucketResolution.Minute, now - (long)settings.MinuteBuckets.TotalMilliseconds, cancellationToken);
        var hourRows = await DeleteBucketsAsync(BucketResolution.Hour, now - (long)settings.HourBuckets.TotalMilliseconds, cancellationToken);
        return new RetentionResult(spans, traces, links, minuteRows, hourRows);
    }

    /// <summary>SQLite: deletes the spans received before <paramref name="rawCutoff"/> that the aggregation has taken in.</summary>
    private async Task<int> DeleteSpansAsync(long rawCutoff, CancellationToken cancellationToken)
    {
        // Only spans the aggregation has taken in: an old span it has not seen yet is still work to do.
        var mark = await db.AggregationState.Select(s => (long?)s.LastSpanId).SingleOrDefaultAsync(cancellationToken) ?? 0;
        // Arrival times rise with the id, so the first recent span bounds every older one; the scan
        // from the start only reads rows that are about to be deleted.
        var firstRecent = await db.Spans.Where(s => s.ReceivedAtUnixMs >= rawCutoff).OrderBy(s => s.Id)
            .Select(s => (long?)s.Id).FirstOrDefaultAsync(cancellationToken) ?? long.MaxValue;
        return await DeleteAsync(db.Spans.Where(s => s.Id <= mark && s.Id < firstRecent), spanFileLock, cancellationToken);
    }

    /// <summary>
    /// PostgreSQL: drops the day partitions that ended before <paramref name="rawCutoff"/>, whole
    /// (no row deletes, no vacuum afterwards). A day is kept until it ends, so spans live up to a
    /// day longer than Retention:RawSpans here.
    /// </summary>
    private async Task<int> DropPartitionsAsync(long rawCutoff, CancellationToken cancellationToken)
    {
        var connection = (Npgsql.NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            return (int)Math.Min(int.MaxValue, await SpanPartitions.DropBeforeAsync(connection, rawCutoff, cancellationToken));
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Deletes the buckets that ended before <paramref name="cutoffUnixMs"/>.</summary>
    private async Task<int> DeleteBucketsAsync(BucketResolution resolution, long cutoffUnixMs, CancellationToken cancellationToken)
    {
        var range = new BucketRange(resolution, long.MinValue, cutoffUnixMs - StatisticsBucket.Width(resolution) + 1);
        return await DeleteAsync(db.EdgeStatistics.In(range), null, cancellationToken)
            + await DeleteAsync(db.NodeStatistics.In(range), null, cancellationToken)
            + await DeleteAsync(db.ZipkinLinks.In(range), null, cancellationToken)
            + await DeleteAsync(db.ReliabilityStatistics.In(range), null, cancellationToken);
    }

    /// <summary>
    /// Deletes <paramref name="rows"/> <c>Retention:DeleteBatchSize</c> at a time, each chunk its own
    /// transaction: an hour of spans at 50,000 spans/s is 180 M rows, and one statement deleting them
    /// would hold the span file's write lock for minutes while ingest waited. Span chunks take the
    /// span writer's <paramref name="turn"/>, so its commits go in between; the database's other
    /// writer, the aggregation, is kept out by the gate.
    /// </summary>
    private async Task<int> DeleteAsync<T>(IQueryable<T> rows, SpanFileWriteLock? turn, CancellationToken cancellationToken)
    {
        var size = options.Value.DeleteBatchSize;
        var total = 0;
        int deleted;
        do
        {
            SpanFileWriteLock.Releaser? held = turn is null ? null : await turn.EnterAsync(cancellationToken);
            try
            {
                deleted = await rows.Take(size).ExecuteDeleteAsync(cancellationToken);
            }
            finally
            {
                held?.Dispose();
            }
            total += deleted;
        }
        while (deleted == size);
        return total;
    }
}
