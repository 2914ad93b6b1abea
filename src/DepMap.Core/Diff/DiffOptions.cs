namespace DepMap.Core.Diff;

/// <summary>When an edge present on both sides counts as regressed.</summary>
public sealed record DiffOptions
{
    public static readonly DiffOptions Default = new();

    /// <summary>Regressed when the error rate rises by at least this many percentage points (5: 2% to 7%).</summary>
    public double ErrorRateRisePoints { get; init; } = 5;

    /// <summary>Regressed when p99 rises by at least this fraction of the base p99 (0.5: 40 ms to 60 ms).</summary>
    public double P99RiseRatio { get; init; } = 0.5;
}
