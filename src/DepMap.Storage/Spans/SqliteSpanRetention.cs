using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.Spans;

/// <summary>Retention on SQLite: span rows deleted in chunks under the span file's write turn.</summary>
internal sealed class SqliteSpanRetention(DepMapDbContext db, SpanFileWriteLock spanFileLock) : ISpanRetention
{
    // One process writes the file: the host's gate already holds every run out.
    public Task<IAsyncDisposable?> HoldAggregationRunsAsync(CancellationToken cancellationToken) => Task.FromResult<IAsyncDisposable?>(null);

    /// <summary>Deletes the spans received before <paramref name="cutoffUnixMs"/> that the aggregation has taken in.</summary>
    public async Task<int> RemoveSpansBeforeAsync(long cutoffUnixMs, int deleteBatchSize, CancellationToken cancellationToken)
    {
        // Only spans the aggregation has taken in: an old span it has not seen yet is still work to do.
        var mark = await db.AggregationState.Select(s => (long?)s.LastSpanId).SingleOrDefaultAsync(cancellationToken) ?? 0;
        // Arrival times rise with the id, so the first recent span bounds every older one; the scan
        // from the start only reads rows that are about to be deleted.
        var firstRecent = await db.Spans.Where(s => s.ReceivedAtUnixMs >= cutoffUnixMs).OrderBy(s => s.Id)
            .Select(s => (long?)s.Id).FirstOrDefaultAsync(cancellationToken) ?? long.MaxValue;
        return await ChunkedDeletes.DeleteAsync(db.Spans.Where(s => s.Id <= mark && s.Id < firstRecent), deleteBatchSize, spanFileLock, cancellationToken);
    }
}
