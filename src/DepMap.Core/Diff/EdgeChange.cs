using DepMap.Core.Statistics;

namespace DepMap.Core.Diff;

/// <summary>
/// An edge present on both sides and how it changed. Call rates are per minute of each side's
/// window, so an hour compared with a day still means something; they are null when a window is
/// unknown. Latency compares the server side where both sides reported it, else the client side.
/// </summary>
public sealed record EdgeChange(
    EdgeFigures Base,
    EdgeFigures Head,
    double? BaseCallsPerMinute,
    double? HeadCallsPerMinute,
    LatencyChange? P95,
    LatencyChange? P99,
    RegressionReasons Reasons)
{
    public EdgeKey Key => Head.Key;

    /// <summary>Relative change of the call rate (0.2 = 20% more calls a minute); null when unknown or the base rate was zero.</summary>
    public double? CallRateRatio => BaseCallsPerMinute is > 0 && HeadCallsPerMinute is { } head
        ? Math.Round((head / BaseCallsPerMinute.Value) - 1, 6)
        : null;

    /// <summary>Error rate change in percentage points (2% to 7% is +5), rounded to 6 decimals so thresholds compare exactly.</summary>
    public double ErrorRatePoints => Math.Round((Head.ErrorRate - Base.ErrorRate) * 100, 6);

    public bool Regressed => Reasons != RegressionReasons.None;
}
