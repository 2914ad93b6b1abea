using DepMap.Core.Aggregation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace DepMap.Storage.Aggregation;

/// <summary>
/// The aggregation on SQLite: each run opens its own connections (one reads and links, one commits,
/// a flush reads ahead on a third) and tunes them; <see cref="SqliteAggregationRun"/> does the run.
/// </summary>
internal sealed class SqliteAggregationEngine(
    DbContextOptions<DepMapDbContext> options,
    ILogger<SqliteAggregationEngine> logger,
    AggregationFaults? faults = null) : IAggregationEngine
{
    public async Task<AggregationTotals> RunAsync(AggregationRun run, Action<ServiceGraphChange> committed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        await using var db = new DepMapDbContext(options);
        await db.Database.OpenConnectionAsync(cancellationToken);
        await SqliteTuning.TuneAsync(db, cancellationToken);
        await using var linking = new SqliteAggregationRun(db, options, run, faults, logger);
        return await linking.RunAsync(committed, cancellationToken);
    }
}
