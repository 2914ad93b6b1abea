namespace DepMap.Core.Reliability;

/// <summary>
/// Ranks services least reliable first. The score (0 to 100) is the weighted mean of three problem
/// factors, the errors a service originates, its p99 latency and its self-time share, scaled by its
/// reach. The error factor needs both a confident rate and volume, so 1 failure in 2 calls does not
/// outrank 500 in 100,000. docs/ranking.md gives the formula and a worked example.
/// </summary>
public static class ReliabilityRanking
{
    /// <summary>Ranks with the blast radius taken from the statistics' own edges.</summary>
    public static IReadOnlyList<RankedService> Rank(
        ReliabilityStatistics statistics, IReadOnlyDictionary<string, long> p99ServerLatencyNano, RankingOptions options) =>
        Rank(statistics, ServiceReach.Compute(statistics.Edges.Keys.Select(edge => (edge.Caller, edge.Callee))),
            p99ServerLatencyNano, options);

    /// <summary>Ranks every service of <paramref name="statistics"/>; services without a p99 get a latency factor of 0.</summary>
    public static IReadOnlyList<RankedService> Rank(
        ReliabilityStatistics statistics, ServiceReach reach, IReadOnlyDictionary<string, long> p99ServerLatencyNano,
        RankingOptions options)
    {
        var services = statistics.Services;
        var confident = services.ToDictionary(
            pair => pair.Key,
            pair => ConfidentErrors(pair.Value.Facts, options),
            StringComparer.Ordinal);
        var maxConfident = confident.Values.DefaultIfEmpty(0).Max();
        var maxP99 = services.Keys.Select(name => p99ServerLatencyNano.GetValueOrDefault(name)).DefaultIfEmpty(0).Max();
        var otherServices = Math.Max(1, services.Count - 1);

        var ranked = new List<RankedService>(services.Count);
        foreach (var (name, totals) in services)
        {
            var facts = totals.Facts;
            var requests = Math.Max(0, facts.Requests);
            var (lower, upper) = WilsonInterval.Of(facts.Originated, requests, options.ConfidenceZ);
            var rateTerm = options.FailingErrorRate > 0 ? Math.Min(1, lower / options.FailingErrorRate) : 1;
            var volumeTerm = maxConfident > 0 ? confident[name] / maxConfident : 0;
            long? p99 = p99ServerLatencyNano.TryGetValue(name, out var known) ? known : null;
            var blastRadius = reach.BlastRadius(name).Count;
            var factors = new RankingFactors
            {
                Requests = requests,
                OriginatedErrors = facts.Originated,
                PassedOnErrors = facts.PassedOn,
                OriginatedErrorRate = totals.OriginatedRate,
                OriginatedErrorRateLower = lower,
                OriginatedErrorRateUpper = upper,
                ConfidentOriginatedErrors = confident[name],
                ErrorFactor = Math.Sqrt(rateTerm * volumeTerm),
                P99LatencyNano = p99,
                LatencyFactor = maxP99 > 0 && p99 is { } value ? Math.Clamp((double)value / maxP99, 0, 1) : 0,
                SelfTimeShare = totals.SelfTimeShare,
                BlastRadius = blastRadius,
                BlastRadiusShare = Math.Min(1, (double)blastRadius / otherServices),
                TrafficShare = statistics.Traces > 0 ? Math.Clamp((double)totals.Traces / statistics.Traces, 0, 1) : 0,
                EntryPoints = [.. totals.EntryPoints.Ranked().Select(pair => pair.Key)],
            };
            factors = factors with { ReachFactor = (factors.BlastRadiusShare + factors.TrafficShare) / 2 };
            ranked.Add(new RankedService(
                name, Score(factors, options), Health(factors.OriginatedErrorRate, options), factors,
                RankingExplanation.For(factors)));
        }
        ranked.Sort((a, b) =>
        {
            var byScore = b.Score.CompareTo(a.Score);
            return byScore != 0 ? byScore : string.CompareOrdinal(a.Service, b.Service);
        });
        return ranked;
    }

    /// <summary>The health band of an originated error rate.</summary>
    public static ServiceHealth Health(double originatedErrorRate, RankingOptions options) =>
        originatedErrorRate >= options.FailingErrorRate ? ServiceHealth.Failing
        : originatedErrorRate >= options.DegradedErrorRate ? ServiceHealth.Degraded
        : ServiceHealth.Healthy;

    private static double ConfidentErrors(ServiceFacts facts, RankingOptions options) =>
        facts.Requests <= 0 ? 0 : facts.Requests * WilsonInterval.Of(facts.Originated, facts.Requests, options.ConfidenceZ).Lower;

    private static double Score(RankingFactors factors, RankingOptions options)
    {
        var errorWeight = Math.Max(0, options.ErrorWeight);
        var latencyWeight = Math.Max(0, options.LatencyWeight);
        var selfTimeWeight = Math.Max(0, options.SelfTimeWeight);
        var weights = errorWeight + latencyWeight + selfTimeWeight;
        if (weights == 0)
        {
            return 0;
        }
        var problem = (errorWeight * factors.ErrorFactor + latencyWeight * factors.LatencyFactor
            + selfTimeWeight * factors.SelfTimeShare) / weights;
        var reachWeight = Math.Clamp(options.ReachWeight, 0, 1);
        var impact = 1 - reachWeight + reachWeight * factors.ReachFactor;
        return Math.Round(100 * problem * impact, 3);
    }
}
