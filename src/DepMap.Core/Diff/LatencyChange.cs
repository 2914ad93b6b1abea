namespace DepMap.Core.Diff;

/// <summary>One quantile of one side, before and after; <see cref="Ratio"/> is the relative change (0.5 = 50% slower).</summary>
public sealed record LatencyChange(LatencySide Side, double BaseMs, double HeadMs)
{
    /// <summary>Null when the base was zero (a relative change from nothing means nothing).</summary>
    public double? Ratio => BaseMs <= 0 ? null : Math.Round((HeadMs / BaseMs) - 1, 6);
}
