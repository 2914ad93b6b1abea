using DepMap.Storage.Spans;

namespace DepMap.Storage.Aggregation;

/// <summary>
/// A span's place in the order the aggregation takes spans in, and so the progress mark. SQLite has
/// one writer that assigns ids in commit order, so the id alone orders (<see cref="Tx"/> is 0);
/// PostgreSQL has concurrent writers whose ids interleave, so spans are taken in by (writing
/// transaction, id) and only below the oldest running transaction (docs/scale-out.md, "Exactly once").
/// </summary>
public readonly record struct SpanPosition(long Tx, long Id) : IComparable<SpanPosition>
{
    public int CompareTo(SpanPosition other) => Tx != other.Tx ? Tx.CompareTo(other.Tx) : Id.CompareTo(other.Id);
}

/// <summary>A batch of spans in take-in order, and the position of its last span (the mark after it).</summary>
internal sealed record SpanBatch(List<StoredSpan> Spans, SpanPosition End);

/// <summary>What one batch writes besides its mark: statistics rows, trace rows, cross-trace pairs.</summary>
internal sealed record BatchRows(Statistics.StatisticsRowWriter Statistics, List<TraceRow> Traces, List<(long Target, long Source)> TraceLinks);

/// <summary>
/// The provider seam of one aggregation run: everything <see cref="AggregationRunner"/> does with a
/// store's own SQL or API. A store is opened per run, on connections of its own (one that reads and
/// links, one that commits), and chosen with the engine at start: SQLite's in DepMap.Storage,
/// PostgreSQL's in DepMap.Storage.PostgreSql. Reads go outside any transaction; the run keeps what
/// is still committing in memory.
/// </summary>
internal interface IAggregationStore : IAsyncDisposable
{
    /// <summary>The context the run's statistics buckets are read through (EF Core, any provider).</summary>
    DepMapDbContext Reads { get; }

    /// <summary>The progress mark; null before the first batch ever committed.</summary>
    Task<SpanPosition?> ReadMarkAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The last position this run may take in (inclusive) after <paramref name="after"/>: the latest
    /// committed span (and, on PostgreSQL, one no running transaction can still write below). Spans
    /// already visible past it belong to traces still receiving: those traces are added to
    /// <paramref name="unsettledTraces"/> and wait. A <paramref name="flush"/> takes in every span
    /// acknowledged before it began.
    /// </summary>
    Task<SpanPosition> ReadEndAsync(SpanPosition after, bool flush, HashSet<long> unsettledTraces, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> pending trace rows whose last span arrived at or before
    /// <paramref name="arrivedBy"/>, in (last arrival, trace) order after <paramref name="after"/>
    /// (from the first when null): the sweep's read, on the pending rows' index.
    /// </summary>
    List<TraceRow> ReadPending(long arrivedBy, (long Arrival, long TraceIdLow)? after, int limit);

    /// <summary>The spans in (<paramref name="after"/>, <paramref name="end"/>], in batches, on a connection of their own.</summary>
    Task<SpanBatches> OpenBatchesAsync(SpanPosition after, SpanPosition end, int batchSize, bool readAhead, CancellationToken cancellationToken);

    /// <summary>True when any trace ever linked across traces.</summary>
    bool AnyTraceLinks();

    /// <summary>The stored (target, source) pairs whose target is one of <paramref name="targets"/>.</summary>
    List<(long Target, long Source)> SourcesOf(IReadOnlyCollection<long> targets);

    /// <summary>The stored rows of those of <paramref name="traceIdLows"/> seen before.</summary>
    Dictionary<long, TraceRow> FindTraces(IReadOnlyCollection<long> traceIdLows);

    /// <summary>
    /// The spans in rows <paramref name="rowIds"/>, by row id; a row retention deleted is missing. One
    /// call per batch: on PostgreSQL each read is a round trip.
    /// </summary>
    Dictionary<long, Core.Spans.Span> ReadSpans(IReadOnlyCollection<long> rowIds);

    /// <summary>
    /// Writes <paramref name="rows"/> and moves the mark from <paramref name="from"/> to
    /// <paramref name="to"/> in one transaction, compare-and-set: a run that finds the mark moved
    /// fails instead of counting twice. <paramref name="beforeCommit"/> runs right before the commit.
    /// </summary>
    Task CommitAsync(BatchRows rows, SpanPosition? from, SpanPosition to, Action beforeCommit, CancellationToken cancellationToken);
}
