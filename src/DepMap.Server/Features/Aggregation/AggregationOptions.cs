namespace DepMap.Server.Features.Aggregation;

/// <summary>The <c>Aggregation</c> settings (documented in appsettings.json).</summary>
internal sealed class AggregationOptions
{
    /// <summary>Hangfire cron with seconds; Hangfire's SQLite storage looks at recurring jobs every 15 s anyway.</summary>
    public string Cron { get; set; } = "*/15 * * * * *";
    /// <summary>
    /// The grace of an incomplete trace (a missing parent, an unanswered client): how long it must be
    /// quiet before it is linked anyway; a complete trace is linked at once. A span that comes later
    /// re-links either exactly. The default is measured in docs/benchmarks.md ("Freshness").
    /// </summary>
    public int SettleSeconds { get; set; } = 10;
    /// <summary>Ingest's commits wake the aggregation inside the process (the recurring job stays as the backstop).</summary>
    public bool WakeOnIngest { get; set; } = true;
    /// <summary>The least time between the end of a run that ingest woke and the start of the next.</summary>
    public double WakeIntervalSeconds { get; set; } = 1;
    /// <summary>Spans read and linked per transaction in a flush; two batches are in memory at a time.</summary>
    /// <remarks>Null: the store's own (<see cref="Storage.Aggregation.IAggregationEngine.FlushBatchSize"/>: SQLite 25,000, PostgreSQL 40,000).</remarks>
    public int? SpanBatchSize { get; set; }
    /// <summary>
    /// Spans per transaction in a recurring run, which shares the process with ingest: a smaller
    /// batch keeps less alive through each garbage collection, and ingest's requests wait out
    /// shorter pauses (documented in appsettings.json with the figures).
    /// </summary>
    public int RecurringSpanBatchSize { get; set; } = 20_000;
    /// <summary>The same for a recurring run that has fallen behind, which catches up faster in larger batches.</summary>
    public int CatchUpSpanBatchSize { get; set; } = 50_000;
    /// <summary>
    /// SQLite: spans of traces still receiving that wait in memory between runs rather than in their
    /// rows (under 150 bytes each, encoded); past it, they wait in their rows.
    /// </summary>
    public int WaitingSpansInMemory { get; set; } = Storage.Aggregation.PendingTraces.DefaultMaxSpans;
}
