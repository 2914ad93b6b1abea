using DepMap.Core.Aggregation;
using DepMap.Storage.Aggregation;

namespace DepMap.Storage.PostgreSql.Aggregation;

/// <summary>
/// Stands where the PostgreSQL aggregation engine goes until it is merged: ingest, queries and
/// retention run on PostgreSQL, and every aggregation run fails with this plain message rather than
/// linking with an engine that would not be exact with several instances.
/// </summary>
internal sealed class PostgreSqlAggregationNotBuilt : IAggregationEngine
{
    public const string Message = "aggregation on PostgreSQL: not built";

    public Task<AggregationTotals> RunAsync(AggregationRun run, Action<ServiceGraphChange> committed, CancellationToken cancellationToken) =>
        throw new NotSupportedException(Message);
}
