namespace DepMap.Core.Reliability;

/// <summary>
/// The weights and thresholds of <see cref="ReliabilityRanking"/>, bound from the <c>Ranking</c>
/// section of <c>appsettings.json</c>. docs/ranking.md explains each one and why its default.
/// </summary>
public sealed record RankingOptions
{
    /// <summary>z of the Wilson score interval on the originated error rate (1.96: 95% two-sided).</summary>
    public double ConfidenceZ { get; init; } = 1.96;

    /// <summary>Originated error rate from which a service is <see cref="ServiceHealth.Degraded"/>.</summary>
    public double DegradedErrorRate { get; init; } = 0.01;

    /// <summary>
    /// Originated error rate from which a service is <see cref="ServiceHealth.Failing"/>; also the
    /// rate at which the error factor's rate term saturates.
    /// </summary>
    public double FailingErrorRate { get; init; } = 0.05;

    public double ErrorWeight { get; init; } = 0.6;
    public double LatencyWeight { get; init; } = 0.15;
    public double SelfTimeWeight { get; init; } = 0.25;

    /// <summary>
    /// In [0, 1]: how much reach scales the score. 0 ignores reach; 0.5 lets a service no one
    /// depends on and few requests touch keep half the score of one everything goes through.
    /// </summary>
    public double ReachWeight { get; init; } = 0.5;
}
