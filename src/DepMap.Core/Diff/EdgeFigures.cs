using DepMap.Core.Statistics;

namespace DepMap.Core.Diff;

/// <summary>What a diff compares of one edge: its counts and the p95/p99 of each side that reported a duration.</summary>
public sealed record EdgeFigures(EdgeKey Key, long CallCount, long ErrorCount, LatencyFigures? ServerLatency, LatencyFigures? ClientLatency)
{
    public double ErrorRate => CallCount == 0 ? 0 : (double)ErrorCount / CallCount;

    internal static EdgeFigures From(EdgeStatistics edge) =>
        new(edge.Key, edge.CallCount, edge.ErrorCount, Latency(edge.ServerLatency), Latency(edge.ClientLatency));

    internal static LatencyFigures? Latency(LatencySketch sketch) =>
        sketch.IsEmpty ? null : new LatencyFigures(Ms(sketch.Quantile(0.95)), Ms(sketch.Quantile(0.99)));

    private static double Ms(double nano) => Math.Round(nano / 1e6, 3);
}
