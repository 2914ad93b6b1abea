using DepMap.Core.Aggregation;
using DepMap.Storage.Aggregation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace DepMap.Storage.PostgreSql.Aggregation;

/// <summary>
/// The aggregation on PostgreSQL, where any number of instances share one database. A run takes a
/// session advisory lock first, so runs on all instances follow one another: a recurring run that
/// finds the lock held returns at once (the run holding it takes in whatever is pending), a flush
/// waits for it. The lock goes with the session, so an instance killed mid-run frees it, and the
/// transaction holding its batch rolls back: nothing is lost or counted twice. The run itself is
/// <see cref="AggregationRunner"/> over a <see cref="PostgreSqlAggregationStore"/>, whose mark
/// cannot pass a transaction that may still commit (docs/scale-out.md, "Exactly once").
/// </summary>
internal sealed partial class PostgreSqlAggregationEngine(
    DbContextOptions<DepMapDbContext> options,
    ILogger<PostgreSqlAggregationEngine> logger,
    AggregationFaults? faults = null) : IAggregationEngine
{
    // Each batch costs round trips to the server, so larger than SQLite's 25,000 (a 10 M-span rebuild
    // took 68-75 s at 25,000); but at 100,000 the collector's heap alone reached 904-1,084 MiB and the
    // process 1,229-1,339 MiB, past the server's 1 GiB, for 53-63 s. At 40,000: 63-66 s and 620-635
    // MiB; at 50,000 no faster (61-66 s) and 767-936 MiB (docs/benchmarks.md, "A PostgreSQL flush
    // within 1 GiB").
    public int FlushBatchSize => 40_000;

    public async Task<AggregationTotals> RunAsync(AggregationRun run, Action<ServiceGraphChange> committed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        await using var store = await PostgreSqlAggregationStore.OpenAsync(options, cancellationToken);
        if (!await store.LockAsync(wait: run.IsFlush, cancellationToken))
        {
            return new AggregationTotals(0, 0, Deferred: true);
        }
        var totals = await new AggregationRunner(store, run, faults, logger).RunAsync(committed, cancellationToken);
        if (store.HeldBack is { } reason)
        {
            LogHeldBack(logger, reason);
        }
        return totals;
    }

    /// <summary>
    /// The first span past the mark in take-in order stands for the oldest: arrival times rise with
    /// the writing transaction up to the instances' clock skew, and one index probe keeps a scrape cheap.
    /// </summary>
    public async Task<AggregationBacklog> ReadBacklogAsync(CancellationToken cancellationToken)
    {
        await using var db = new DepMapDbContext(options);
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT received_at_unix_ms FROM spans WHERE (tx, id) > (" +
            "coalesce((SELECT last_tx FROM aggregation_mark WHERE id = 1), '0'::xid8), " +
            "coalesce((SELECT last_span_id FROM aggregation_mark WHERE id = 1), 0)) ORDER BY tx, id LIMIT 1",
            (NpgsqlConnection)db.Database.GetDbConnection());
        var firstPastMark = await command.ExecuteScalarAsync(cancellationToken) as long?;
        return await AggregationBacklog.ReadAsync(db, firstPastMark, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flush on PostgreSQL: {Reason}")]
    private static partial void LogHeldBack(ILogger logger, string reason);
}
