namespace DepMap.Storage.Spans;

/// <summary>
/// How retention removes raw spans from the store chosen at start (the host's <c>StorageSetup</c>):
/// chunked row deletes from the span file on SQLite, whole day partitions dropped on PostgreSQL.
/// Linked traces too: SQLite keeps them in runs of its own (<see cref="Aggregation.TraceRuns"/>).
/// The host's handler deletes buckets itself, the same on both.
/// </summary>
public interface ISpanRetention
{
    /// <summary>
    /// Holds every instance's aggregation runs out until the result is disposed, on top of the host's
    /// own gate (which holds only this process's runs). Null where that gate is enough: one process
    /// writes a SQLite file.
    /// </summary>
    Task<IAsyncDisposable?> HoldAggregationRunsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Removes raw spans received before <paramref name="cutoffUnixMs"/> that the aggregation has taken
    /// in, <paramref name="deleteBatchSize"/> rows a transaction where rows are deleted; returns how many.
    /// </summary>
    Task<int> RemoveSpansBeforeAsync(long cutoffUnixMs, int deleteBatchSize, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the rows of linked traces (not those still waiting, whatever their age) whose last span
    /// arrived before <paramref name="cutoffUnixMs"/>, then the links across traces whose source trace
    /// is gone (it can never be re-linked, its spans went with it); returns how many of each.
    /// </summary>
    Task<(int Traces, int Links)> RemoveLinkedTracesBeforeAsync(long cutoffUnixMs, int deleteBatchSize, CancellationToken cancellationToken);
}
