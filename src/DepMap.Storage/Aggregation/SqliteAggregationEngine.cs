using DepMap.Core.Aggregation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace DepMap.Storage.Aggregation;

/// <summary>
/// The aggregation on SQLite: each run opens its own connections (one reads and links, one commits,
/// a flush reads ahead on a third) as a <see cref="SqliteAggregationStore"/>; the run itself is
/// <see cref="AggregationRunner"/>. One process writes the file, and the host's gate keeps its runs
/// apart, so traces still receiving spans wait from one run to the next in this process's
/// <see cref="PendingTraces"/> (one per process; a new one for each engine when none is given).
/// </summary>
internal sealed class SqliteAggregationEngine(
    DbContextOptions<DepMapDbContext> options,
    ILogger<SqliteAggregationEngine> logger,
    AggregationFaults? faults = null,
    PendingTraces? pending = null) : IAggregationEngine
{
    private readonly PendingTraces _pending = pending ?? new PendingTraces();

    // A 10 M-span rebuild took as long at 25,000 as at 100,000 (51-57 s against 46-58 s) with about
    // half the peak memory (493-524 MiB against 882-921 MiB): a smaller batch's objects die before the
    // collector promotes them. At 10,000 it was slower (docs/benchmarks.md, issue 15).
    public int FlushBatchSize => 25_000;

    public async Task<AggregationTotals> RunAsync(AggregationRun run, Action<ServiceGraphChange> committed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        await using var store = await SqliteAggregationStore.OpenAsync(options, _pending, cancellationToken);
        return await new AggregationRunner(store, run, faults, logger, _pending).RunAsync(committed, cancellationToken);
    }

    public async Task<AggregationBacklog> ReadBacklogAsync(CancellationToken cancellationToken)
    {
        await using var db = new DepMapDbContext(options);
        var backlog = await AggregationBacklog.ReadAsync(db, cancellationToken);
        return backlog with { TracesWaiting = backlog.TracesWaiting + _pending.Count };
    }
}
