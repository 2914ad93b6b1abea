using System.Diagnostics;
using DepMap.Server.Features.Metrics;
using DepMap.Storage.Aggregation;
using Mediator;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Features.Aggregation;

/// <summary>
/// Aggregate what arrived since the last run: link every complete trace, and every incomplete one
/// quiet for the grace time (<see cref="AggregationOptions.SettleSeconds"/>; every trace when
/// <see cref="Flush"/>) into the statistics.
/// </summary>
internal sealed record AggregateSpans(bool Flush) : IRequest<AggregationResult>;

/// <summary>
/// How many spans the run took in and how many traces it linked; <see cref="Deferred"/> when another
/// instance's run held the store, so this one did nothing (PostgreSQL; a flush waits instead);
/// <see cref="PendingSinceUnixMs"/>: when the earliest trace still waiting last received a span.
/// </summary>
internal sealed record AggregationResult(long SpansTakenIn, long TracesLinked, bool Deferred, long? PendingSinceUnixMs = null);

/// <summary>
/// Runs the store's <see cref="IAggregationEngine"/> once, one run at a time in this process, with
/// the settings and the clock; after each committed batch the service-graph metrics take its calls
/// and the readers of <see cref="AggregationProgress"/> learn that the statistics changed.
/// </summary>
internal sealed class AggregateSpansHandler(
    IAggregationEngine engine,
    AggregationGate gate,
    AggregationProgress progress,
    IOptions<AggregationOptions> options,
    TimeProvider time,
    DepMapMetrics metrics,
    ServiceGraphMetrics serviceGraph) : IRequestHandler<AggregateSpans, AggregationResult>
{
    public async ValueTask<AggregationResult> Handle(AggregateSpans request, CancellationToken cancellationToken)
    {
        using var _ = await gate.EnterAsync(cancellationToken);
        var settings = options.Value;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var run = new AggregationRun(
            now,
            request.Flush ? null : now - settings.SettleSeconds * 1000L,
            request.Flush ? settings.SpanBatchSize ?? engine.FlushBatchSize : settings.RecurringSpanBatchSize)
        {
            CatchUpBatchSize = settings.CatchUpSpanBatchSize,
        };
        var started = Stopwatch.GetTimestamp();
        try
        {
            var totals = await engine.RunAsync(run, calls =>
            {
                serviceGraph.Apply(calls);
                progress.StatisticsChanged();
            }, cancellationToken);
            metrics.AggregationRun(request.Flush, Stopwatch.GetElapsedTime(started), totals.TracesLinked);
            return new AggregationResult(totals.SpansTakenIn, totals.TracesLinked, totals.Deferred, totals.PendingSinceUnixMs);
        }
        catch
        {
            metrics.AggregationFailed(request.Flush);
            throw;
        }
    }
}
