using DepMap.Storage.Spans;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage;

/// <summary>Retention's row deletes, shared by its span deletes on SQLite and the host's deletes of traces, links and buckets.</summary>
public static class ChunkedDeletes
{
    /// <summary>
    /// Deletes <paramref name="rows"/> <paramref name="size"/> (<c>Retention:DeleteBatchSize</c>) at a time, each chunk its own
    /// transaction: an hour of spans at 50,000 spans/s is 180 M rows, and one statement deleting them
    /// would hold the span file's write lock for minutes while ingest waited. Span chunks take the
    /// span writer's <paramref name="turn"/>, so its commits go in between; the database's other
    /// writer, the aggregation, is kept out by the gate.
    /// </summary>
    public static async Task<int> DeleteAsync<T>(IQueryable<T> rows, int size, SpanFileWriteLock? turn, CancellationToken cancellationToken)
    {
        var total = 0;
        int deleted;
        do
        {
            SpanFileWriteLock.Releaser? held = turn is null ? null : await turn.EnterAsync(cancellationToken);
            try
            {
                deleted = await rows.Take(size).ExecuteDeleteAsync(cancellationToken);
            }
            finally
            {
                held?.Dispose();
            }
            total += deleted;
        }
        while (deleted == size);
        return total;
    }
}
