using DepMap.Core.Statistics;
using DepMap.Server.Features.Aggregation;
using DepMap.Storage;
using DepMap.Storage.Spans;
using DepMap.Storage.Statistics;
using Mediator;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Features.Retention;

/// <summary>Delete raw spans, linked traces (and their links to other traces) and statistics buckets older than their retention.</summary>
internal sealed record ApplyRetention : IRequest<RetentionResult>;

internal sealed record RetentionResult(int Spans, int Traces, int TraceLinks, int MinuteRows, int HourRows);

internal sealed class ApplyRetentionHandler(
    DepMapDbContext db,
    AggregationGate gate,
    ISpanRetention retention,
    IOptions<RetentionOptions> options,
    TimeProvider time) : IRequestHandler<ApplyRetention, RetentionResult>
{
    public async ValueTask<RetentionResult> Handle(ApplyRetention request, CancellationToken cancellationToken)
    {
        // Under the aggregation's gate: a trace must not vanish between a run's read and its commit.
        using var _ = await gate.EnterAsync(cancellationToken);
        // The gate holds only this process's runs; the store holds the other instances' out, if any
        // (taken before any write: ISpanRetention.HoldAggregationRunsAsync).
        await using var clusterTurn = await retention.HoldAggregationRunsAsync(cancellationToken);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var settings = options.Value;
        var rawCutoff = now - (long)settings.RawSpans.TotalMilliseconds;

        var spans = await retention.RemoveSpansBeforeAsync(rawCutoff, settings.DeleteBatchSize, cancellationToken);
        // A trace still waiting to be linked is kept whatever its age; a link whose consumer trace is
        // gone can never re-link it (without this the index of links across traces grew for ever).
        var (traces, links) = await retention.RemoveLinkedTracesBeforeAsync(rawCutoff, settings.DeleteBatchSize, cancellationToken);

        var minuteRows = await DeleteBucketsAsync(BucketResolution.Minute, now - (long)settings.MinuteBuckets.TotalMilliseconds, cancellationToken);
        var hourRows = await DeleteBucketsAsync(BucketResolution.Hour, now - (long)settings.HourBuckets.TotalMilliseconds, cancellationToken);
        return new RetentionResult(spans, traces, links, minuteRows, hourRows);
    }

    /// <summary>Deletes the buckets that ended before <paramref name="cutoffUnixMs"/>.</summary>
    private async Task<int> DeleteBucketsAsync(BucketResolution resolution, long cutoffUnixMs, CancellationToken cancellationToken)
    {
        var range = new BucketRange(resolution, long.MinValue, cutoffUnixMs - StatisticsBucket.Width(resolution) + 1);
        return await DeleteAsync(db.GraphBuckets.In(range), cancellationToken)
            + await DeleteAsync(db.ZipkinLinkPacks.In(range), cancellationToken)
            + await DeleteAsync(db.ReliabilityStatistics.In(range), cancellationToken);
    }

    // Not span rows: no write turn to take (ChunkedDeletes says why the chunks).
    private Task<int> DeleteAsync<T>(IQueryable<T> rows, CancellationToken cancellationToken) =>
        ChunkedDeletes.DeleteAsync(rows, options.Value.DeleteBatchSize, turn: null, cancellationToken);
}
