namespace DepMap.Core.Diff;

/// <summary>
/// One side's latency quantiles in milliseconds, rounded to 3 decimals as the graph JSON writes
/// them, so figures taken from a graph and from its JSON compare equal.
/// </summary>
public sealed record LatencyFigures(double P95Ms, double P99Ms);
