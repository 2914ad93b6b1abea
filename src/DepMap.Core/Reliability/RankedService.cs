namespace DepMap.Core.Reliability;

/// <summary>One service's place in the ranking: the higher the score, the less reliable.</summary>
public sealed record RankedService(
    string Service, double Score, ServiceHealth Health, RankingFactors Factors, string Explanation);

/// <summary>Every input and intermediate value behind a score, so a rank can be checked by hand.</summary>
public sealed record RankingFactors
{
    public long Requests { get; init; }
    public long OriginatedErrors { get; init; }
    public long PassedOnErrors { get; init; }
    public double OriginatedErrorRate { get; init; }
    /// <summary>The Wilson score interval of <see cref="OriginatedErrorRate"/> at the configured z.</summary>
    public double OriginatedErrorRateLower { get; init; }
    public double OriginatedErrorRateUpper { get; init; }
    /// <summary>Requests times the lower bound: the originated errors the evidence vouches for.</summary>
    public double ConfidentOriginatedErrors { get; init; }
    /// <summary>In [0, 1]: the geometric mean of the rate term and the volume term.</summary>
    public double ErrorFactor { get; init; }
    public long? P99LatencyNano { get; init; }
    public double LatencyFactor { get; init; }
    public double SelfTimeShare { get; init; }
    public int BlastRadius { get; init; }
    public double BlastRadiusShare { get; init; }
    /// <summary>The share of all traces in the window that touch the service.</summary>
    public double TrafficShare { get; init; }
    public IReadOnlyList<string> EntryPoints { get; init; } = [];
    public double ReachFactor { get; init; }
}
