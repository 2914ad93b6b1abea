using DepMap.Core.Graph;
using DepMap.Core.Reliability;
using DepMap.Core.Statistics;
using DepMap.Server.Features.Aggregation;
using DepMap.Storage;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Features.Graph;

/// <summary>The statistics of one window: the DepMap view's graph and the services' reliability facts.</summary>
internal sealed record WindowStatistics(GraphStatistics Graph, ReliabilityStatistics Reliability)
{
    /// <summary>A rough size for the cache: a few KB per edge and node with their sketches.</summary>
    public long EstimatedBytes => 4096L * (Graph.Edges.Count + Graph.Nodes.Count + Reliability.Services.Count);
}

/// <summary>
/// Reads window statistics through the aggregation's queries and keeps them by aggregation version,
/// so the graph, the service list and the ranking of one window read the database once per run.
/// </summary>
internal sealed class StatisticsWindows(
    QueryCache cache, AggregationProgress progress, IServiceScopeFactory scopes, IOptions<RankingOptions> ranking, IOptions<GraphOptions> graphOptions)
{
    public RankingOptions Ranking => ranking.Value;

    /// <summary>
    /// The version is read before the database: a run committing in between leaves newer data under
    /// the older version, which the next version replaces, never older data under a newer one.
    /// </summary>
    public long Version => progress.Version;

    /// <summary>
    /// Read in a scope of its own: the read is shared by every request for the window and must not
    /// end with the request that started it.
    /// </summary>
    public Task<WindowStatistics> ReadAsync(long version, QueryWindow window, CancellationToken cancellationToken) =>
        cache.GetOrCreateAsync(
            (nameof(WindowStatistics), version, window),
            async () =>
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<DepMapDbContext>();
                return new WindowStatistics(
                    await db.ReadGraphAsync(graphOptions.Value, window.From, window.To, CancellationToken.None),
                    await db.ReadReliabilityAsync(window.From, window.To, CancellationToken.None));
            },
            statistics => statistics.EstimatedBytes,
            cancellationToken);

    /// <summary>The graph with every service's health band by its originated error rate.</summary>
    public ServiceGraph GraphOf(WindowStatistics statistics)
    {
        var graph = ServiceGraph.From(statistics.Graph);
        foreach (var node in graph.Nodes)
        {
            if (statistics.Reliability.Services.TryGetValue(node.Name, out var totals))
            {
                node.Health = ReliabilityRanking.Health(totals.OriginatedRate, ranking.Value) switch
                {
                    ServiceHealth.Failing => NodeHealth.Failing,
                    ServiceHealth.Degraded => NodeHealth.Degraded,
                    _ => NodeHealth.Healthy,
                };
            }
        }
        return graph;
    }
}
