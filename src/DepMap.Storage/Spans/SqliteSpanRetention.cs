using DepMap.Storage.Aggregation;
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

    /// <summary>The by-id rows with EF Core; the runs' pages and the links with SQL of their own (the runs are not in the model).</summary>
    public async Task<(int Traces, int Links)> RemoveLinkedTracesBeforeAsync(long cutoffUnixMs, int deleteBatchSize, CancellationToken cancellationToken)
    {
        var traces = await TraceRows.DeleteLinkedBeforeAsync(db, cutoffUnixMs, deleteBatchSize, cancellationToken);
        // An older copy of a trace in an older run arrived no later, so it goes with the newest.
        traces += await TraceRunRows.DeleteExpiredAsync(db, cutoffUnixMs, deleteBatchSize, cancellationToken);
        // A link goes with its source trace's last row. The runs keep their traces inside pages, so
        // the sources without a by-id row are looked up there, few: only traces linked across traces.
        var sources = await db.Database.SqlQueryRaw<long>(
            $"SELECT DISTINCT {TraceLinkRow.SourceColumn} AS \"Value\" FROM {TraceLinkRow.Table} " +
            $"WHERE {TraceLinkRow.SourceColumn} NOT IN (SELECT {TraceRow.TraceIdLowColumn} FROM {TraceRow.Table})").ToListAsync(cancellationToken);
        if (sources.Count == 0)
        {
            return (traces, 0);
        }
        await db.Database.OpenConnectionAsync(cancellationToken);
        HashSet<long> held;
        try
        {
            held = TraceRunRows.Holding(db, sources);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        var links = 0;
        foreach (var gone in sources.Where(source => !held.Contains(source)))
        {
            links += await db.Database.ExecuteSqlRawAsync(
                $"DELETE FROM {TraceLinkRow.Table} WHERE {TraceLinkRow.SourceColumn} = {{0}}", [gone], cancellationToken);
        }
        return (traces, links);
    }
}
