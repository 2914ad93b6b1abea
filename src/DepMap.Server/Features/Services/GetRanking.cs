using DepMap.Core.Reliability;
using DepMap.Server.Features.Graph;
using Mediator;

namespace DepMap.Server.Features.Services;

/// <summary>The reliability ranking of a window, least reliable first (docs/ranking.md).</summary>
internal sealed record GetRanking(QueryWindow Window) : IRequest<IReadOnlyList<RankedService>>;

internal sealed class GetRankingHandler(StatisticsWindows windows) : IRequestHandler<GetRanking, IReadOnlyList<RankedService>>
{
    public async ValueTask<IReadOnlyList<RankedService>> Handle(GetRanking request, CancellationToken cancellationToken)
    {
        var statistics = await windows.ReadAsync(windows.Version, request.Window, cancellationToken);
        // The served latency: server side where the service reported it, which is what the ranking's p99 means.
        var p99 = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var name in statistics.Reliability.Services.Keys)
        {
            if (statistics.Graph.Nodes.TryGetValue(name, out var node) && !node.Latency.IsEmpty)
            {
                p99[name] = (long)node.Latency.Quantile(0.99);
            }
        }
        return ReliabilityRanking.Rank(statistics.Reliability, p99, windows.Ranking);
    }
}
