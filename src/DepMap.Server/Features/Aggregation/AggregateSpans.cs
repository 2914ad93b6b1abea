using DepMap.Storage;
using Mediator;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Features.Aggregation;

/// <summary>
/// Aggregate what arrived since the last run: take new spans into their traces, then link every trace
/// quiet for the settle time (every pending one when <see cref="Flush"/>) into the statistics.
/// </summary>
internal sealed record AggregateSpans(bool Flush) : IRequest<AggregationResult>;

/// <summary>How many spans the run took in and how many traces it linked.</summary>
internal sealed record AggregationResult(long SpansTakenIn, long TracesLinked);

internal sealed class AggregateSpansHandler(
    DepMapDbContext db,
    AggregationGate gate,
    AggregationProgress progress,
    IOptions<AggregationOptions> options,
    TimeProvider time,
    ILogger<AggregateSpansHandler> logger,
    AggregationFaults? faults = null) : IRequestHandler<AggregateSpans, AggregationResult>
{
    public async ValueTask<AggregationResult> Handle(AggregateSpans request, CancellationToken cancellationToken)
    {
        using var _ = await gate.EnterAsync(cancellationToken);
        var settings = options.Value;

        var intake = new SpanIntake(db, faults);
        long spans = 0;
        int taken;
        do
        {
            taken = await intake.TakeInAsync(settings.SpanBatchSize, cancellationToken);
            spans += taken;
        }
        while (taken == settings.SpanBatchSize);

        // "Now" is taken after the intake, so a trace is held back by its own spans' arrival only.
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var settledAt = request.Flush ? long.MaxValue : now - settings.SettleSeconds * 1000L;
        var linking = new TraceLinking(db, faults, logger);
        long traces = 0;
        int linked;
        do
        {
            linked = await linking.LinkAsync(settledAt, now, settings.TraceBatchSize, cancellationToken);
            traces += linked;
            if (linked > 0)
            {
                progress.StatisticsChanged();
            }
        }
        while (linked == settings.TraceBatchSize);

        return new AggregationResult(spans, traces);
    }
}
