using DepMap.Core.Graph;
using DepMap.Core.Reliability;
using DepMap.Core.Statistics;
using DepMap.Core.Writers;

namespace DepMap.Server.Features.Services;

/// <summary>Latency in milliseconds (3 decimals), as in <c>/graph.json</c>.</summary>
internal sealed record LatencyView(long Count, double P50, double P95, double P99, double Mean)
{
    public static LatencyView? Of(LatencySketch sketch) => sketch.IsEmpty ? null : new(
        sketch.Count, Ms(sketch.Quantile(0.5)), Ms(sketch.Quantile(0.95)), Ms(sketch.Quantile(0.99)), Ms(sketch.Mean));

    public static double Ms(double nano) => Math.Round(nano / 1e6, 3);
}

/// <summary>What a service's own spans say about it: the errors it originated and passed on, its self time.</summary>
internal sealed record ReliabilityView(long Requests, long OriginatedErrors, long PassedOnErrors, double OriginatedErrorRate, double SelfTimeShare)
{
    public static ReliabilityView Of(ServiceTotals totals) => new(
        totals.Facts.Requests, totals.Facts.Originated, totals.Facts.PassedOn,
        Math.Round(totals.OriginatedRate, 6), Math.Round(totals.SelfTimeShare, 6));
}

/// <summary>One node of the window: its served requests, the calls it made, its health band and reliability.</summary>
internal sealed record ServiceView(
    string Name, string Type, string? Namespace, string? Health, long RequestsServed, long ErrorCount, double ErrorRate,
    LatencyView? Latency, long CallsMade, ReliabilityView? Reliability)
{
    public static ServiceView Of(GraphNode node, ServiceTotals? totals)
    {
        var statistics = node.Statistics;
        return new ServiceView(
            node.Name, node.Type.ToString().ToLowerInvariant(), node.Namespace, node.Health?.ToString().ToLowerInvariant(),
            statistics.RequestsServed, statistics.ErrorCount, Math.Round(statistics.ErrorRate, 6), LatencyView.Of(statistics.Latency),
            statistics.CallsMade, totals is null ? null : ReliabilityView.Of(totals));
    }
}

/// <summary>One edge seen from a service: the peer at its other end and the calls along it.</summary>
internal sealed record PeerView(string Service, string ConnectionType, long CallCount, long ErrorCount, double ErrorRate, LatencyView? Latency)
{
    public static PeerView Of(string peer, EdgeStatistics edge) => new(
        peer, GraphText.ConnectionWord(edge.Key.ConnectionType), edge.CallCount, edge.ErrorCount, Math.Round(edge.ErrorRate, 6),
        LatencyView.Of(edge.ClientLatency.IsEmpty ? edge.ServerLatency : edge.ClientLatency));
}

/// <summary><c>GET /services/{name}</c>: the service, who calls it and whom it calls.</summary>
internal sealed record ServiceDetail(ServiceView Service, IReadOnlyList<PeerView> Callers, IReadOnlyList<PeerView> Callees);

/// <summary>One row of <c>GET /services/ranking</c>, least reliable first.</summary>
internal sealed record RankingEntry(int Rank, string Service, double Score, string Health, string Explanation, RankingFactors Factors)
{
    public static RankingEntry Of(int rank, RankedService ranked) => new(
        rank, ranked.Service, ranked.Score, ranked.Health.ToString().ToLowerInvariant(), ranked.Explanation, ranked.Factors);
}
