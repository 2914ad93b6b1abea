using DepMap.Storage.Aggregation;
using DepMap.Storage.PostgreSql.Aggregation;
using DepMap.Storage.Spans;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace DepMap.Storage.PostgreSql.Spans;

/// <summary>Retention on PostgreSQL: the runs' advisory lock, and whole day partitions dropped.</summary>
internal sealed class PostgreSqlSpanRetention(DepMapDbContext db) : ISpanRetention
{
    // On PostgreSQL the gate holds only this instance's runs; the advisory lock every instance's
    // runs take holds theirs (taken before any write, so a flush waiting for older transactions
    // never waits for this one).
    public async Task<IAsyncDisposable?> HoldAggregationRunsAsync(CancellationToken cancellationToken) =>
        await PostgreSqlAggregationStore.HoldLockAsync(db.Database.GetConnectionString()!, cancellationToken);

    /// <summary>
    /// PostgreSQL: drops the day partitions that ended before <paramref name="cutoffUnixMs"/>, whole
    /// (no row deletes, no vacuum afterwards). A day is kept until it ends, so spans live up to a
    /// day longer than Retention:RawSpans here.
    /// </summary>
    public async Task<int> RemoveSpansBeforeAsync(long cutoffUnixMs, int deleteBatchSize, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            return (int)Math.Min(int.MaxValue, await SpanPartitions.DropBeforeAsync(connection, cutoffUnixMs, cancellationToken));
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public async Task<(int Traces, int Links)> RemoveLinkedTracesBeforeAsync(long cutoffUnixMs, int deleteBatchSize, CancellationToken cancellationToken)
    {
        var traces = await TraceRows.DeleteLinkedBeforeAsync(db, cutoffUnixMs, deleteBatchSize, cancellationToken);
        var links = await ChunkedDeletes.DeleteAsync(db.TraceLinks.Where(l => !db.Traces.Any(t => t.TraceIdLow == l.SourceTraceIdLow)), deleteBatchSize, turn: null, cancellationToken);
        return (traces, links);
    }
}
