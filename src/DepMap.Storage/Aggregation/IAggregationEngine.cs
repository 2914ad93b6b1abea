using DepMap.Core.Aggregation;

namespace DepMap.Storage.Aggregation;

/// <summary>
/// The aggregation run over one kind of store: read the spans past the mark in batches, link each
/// trace whose spans are all in with Core's <see cref="BatchLinker"/>, and commit each batch's
/// statistics, trace rows and mark in one transaction. Chosen at start with the store (SQLite or
/// PostgreSQL); the host's handler sees only this. Both run <see cref="AggregationRunner"/> over
/// their own <see cref="IAggregationStore"/>.
/// </summary>
public interface IAggregationEngine
{
    /// <summary>
    /// Links every complete trace, and every incomplete one quiet since
    /// <see cref="AggregationRun.SettledAtUnixMs"/> (every trace when null), calling <paramref name="committed"/> after each batch that linked a trace, once its
    /// transaction has committed.
    /// </summary>
    Task<AggregationTotals> RunAsync(AggregationRun run, Action<ServiceGraphChange> committed, CancellationToken cancellationToken);

    /// <summary>What is not linked yet (for the metrics and /readyz): it starts at this store's mark.</summary>
    Task<AggregationBacklog> ReadBacklogAsync(CancellationToken cancellationToken);

    /// <summary>Spans per transaction in a flush when the settings name none: this store's own measured best.</summary>
    int FlushBatchSize { get; }
}

/// <summary>
/// One run's settings: the time its links are stamped with, the grace point (an incomplete trace
/// whose last span arrived at or before it is linked anyway; null: a flush, which links everything
/// and may overlap reading, linking and committing), and spans per transaction.
/// </summary>
public sealed record AggregationRun(long NowUnixMs, long? SettledAtUnixMs, int BatchSize)
{
    public bool IsFlush => SettledAtUnixMs is null;

    /// <summary>
    /// Spans per transaction in a settled run that has fallen behind (null: <see cref="BatchSize"/>):
    /// each batch writes a row per trace linked, on pages all over the trace table, so larger
    /// batches share more of those pages and catch up faster.
    /// </summary>
    public int? CatchUpBatchSize { get; init; }
}

/// <summary>
/// How many spans a run took in and how many traces it linked. <see cref="Deferred"/>: the run did
/// nothing because another instance's run held the store (PostgreSQL); that run may have read
/// before this instance's latest commits, so a caller woken by them tries again shortly.
/// </summary>
public sealed record AggregationTotals(long SpansTakenIn, long TracesLinked, bool Deferred = false)
{
    /// <summary>
    /// When the earliest trace still pending after the run last received a span (null: none waits):
    /// its grace ends that much later, and a caller can wake a run for it then.
    /// </summary>
    public long? PendingSinceUnixMs { get; init; }
}
