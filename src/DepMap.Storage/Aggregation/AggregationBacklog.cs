using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.Aggregation;

/// <summary>
/// What the aggregation has not linked yet: when the oldest of it arrived, and how many traces wait
/// (incomplete, within their grace; a pending row no longer always has a later span). Read by the metrics and /readyz; three indexed look-ups (the span after the mark by
/// primary key, the waiting traces by their pending index), so a scrape costs little.
/// </summary>
public sealed record AggregationBacklog(long? OldestUnlinkedUnixMs, int TracesWaiting)
{
    public static async Task<AggregationBacklog> ReadAsync(DepMapDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var mark = await db.AggregationState.AsNoTracking()
            .Where(s => s.Id == AggregationStateRow.SingletonId)
            .Select(s => (long?)s.LastSpanId)
            .SingleOrDefaultAsync(cancellationToken) ?? 0;
        // Arrival times rise with the id, so the first span past the mark is the oldest not taken in.
        var firstPastMark = await db.Spans.AsNoTracking()
            .Where(s => s.Id > mark)
            .OrderBy(s => s.Id)
            .Select(s => (long?)s.ReceivedAtUnixMs)
            .FirstOrDefaultAsync(cancellationToken);
        return await ReadAsync(db, firstPastMark, cancellationToken);
    }

    /// <summary>
    /// The backlog given when the first span past the mark arrived (null: none), which each store
    /// reads in its own order; the traces waiting to settle are read from their rows.
    /// </summary>
    public static async Task<AggregationBacklog> ReadAsync(DepMapDbContext db, long? firstPastMark, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var waiting = db.Traces.AsNoTracking().Where(t => t.Pending);
        var count = await waiting.CountAsync(cancellationToken);
        // A waiting trace's row keeps only its last arrival; its oldest span is at least that old.
        var oldestWaiting = await waiting.MinAsync(t => (long?)t.LastArrivalUnixMs, cancellationToken);
        long? oldest = (firstPastMark, oldestWaiting) switch
        {
            ({ } a, { } b) => Math.Min(a, b),
            ({ } a, null) => a,
            (null, var b) => b,
        };
        return new AggregationBacklog(oldest, count);
    }

    /// <summary>The backlog's age at <paramref name="nowUnixMs"/>, in seconds; 0 when nothing waits.</summary>
    public double LagSeconds(long nowUnixMs) =>
        OldestUnlinkedUnixMs is { } oldest ? Math.Max(0, nowUnixMs - oldest) / 1000.0 : 0;
}
