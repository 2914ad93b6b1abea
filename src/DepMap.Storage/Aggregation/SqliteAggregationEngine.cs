using DepMap.Core.Aggregation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace DepMap.Storage.Aggregation;

/// <summary>
/// The aggregation on SQLite: each run opens its own connections (one reads and links, one commits,
/// a flush reads ahead on a third) as a <see cref="SqliteAggregationStore"/>; the run itself is
/// <see cref="AggregationRunner"/>. One process writes the file, and the host's gate keeps its runs
/// apart.
/// </summary>
internal sealed class SqliteAggregationEngine(
    DbContextOptions<DepMapDbContext> options,
    ILogger<SqliteAggregationEngine> logger,
    AggregationFaults? faults = null) : IAggregationEngine
{
    public async Task<AggregationTotals> RunAsync(AggregationRun run, Action<ServiceGraphChange> committed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        await using var store = await SqliteAggregationStore.OpenAsync(options, cancellationToken);
        return await new AggregationRunner(store, run, faults, logger).RunAsync(committed, cancellationToken);
    }

    public async Task<AggregationBacklog> ReadBacklogAsync(CancellationToken cancellationToken)
    {
        await using var db = new DepMapDbContext(options);
        return await AggregationBacklog.ReadAsync(db, cancellationToken);
    }
}
