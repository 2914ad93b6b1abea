using DepMap.Core.Reliability;

namespace DepMap.Core.Tests.Reliability;

public class ReliabilityRankingTests
{
    private static readonly Dictionary<string, long> NoLatency = [];

    // Facts summed by hand: one "trace" per service carrying the window's totals.
    private static ReliabilityStatistics Window(params (string Service, long Requests, long Originated)[] services)
    {
        var statistics = new ReliabilityStatistics();
        foreach (var (service, requests, originated) in services)
        {
            statistics.Add(new TraceReliability
            {
                EntryPoint = service,
                EndToEndNano = 1_000,
                Services = new Dictionary<string, ServiceFacts> { [service] = new(requests, originated, originated, 0, 0) },
                Edges = new Dictionary<ServiceEdge, EdgeFacts>(),
            });
        }
        return statistics;
    }

    private static RankedService Entry(IReadOnlyList<RankedService> ranking, string service) =>
        ranking.Single(entry => entry.Service == service);

    [Fact]
    public void Rank_PutsHighVolumeFailuresFirst_WhenLowVolumeServiceHasHigherRateAndHigherWilsonBound()
    {
        var window = Window(("flaky-cron", 2, 1), ("checkout", 100_000, 500));

        var ranking = ReliabilityRanking.Rank(window, NoLatency, new RankingOptions());

        // The Wilson bound alone would rank 1 in 2 (about 9%) above 500 in 100,000 (about 0.46%):
        // volume is what orders them.
        Assert.True(Entry(ranking, "flaky-cron").Factors.OriginatedErrorRateLower
            > Entry(ranking, "checkout").Factors.OriginatedErrorRateLower);
        Assert.Equal(["checkout", "flaky-cron"], ranking.Select(entry => entry.Service));
    }

    [Fact]
    public void Rank_PutsHigherRateFirst_WhenVolumesAreEqual()
    {
        var window = Window(("a", 10_000, 50), ("b", 10_000, 300), ("c", 10_000, 0));

        var ranking = ReliabilityRanking.Rank(window, NoLatency, new RankingOptions());

        Assert.Equal(["b", "a", "c"], ranking.Select(entry => entry.Service));
        Assert.Equal(0, Entry(ranking, "c").Score);
    }

    [Fact]
    public void Rank_BreaksTiesByName()
    {
        var window = Window(("zeta", 1_000, 20), ("alpha", 1_000, 20), ("mid", 1_000, 20));

        var ranking = ReliabilityRanking.Rank(window, NoLatency, new RankingOptions());

        Assert.Equal(["alpha", "mid", "zeta"], ranking.Select(entry => entry.Service));
    }

    [Fact]
    public void Rank_PutsWiderBlastRadiusFirst_WhenErrorsAreEqual()
    {
        var window = Window(("leaf", 1_000, 20), ("core", 1_000, 20));
        var reach = ServiceReach.Compute([("a", "core"), ("b", "core"), ("a", "leaf")]);

        var ranking = ReliabilityRanking.Rank(window, reach, NoLatency, new RankingOptions());

        Assert.Equal(["core", "leaf"], ranking.Select(entry => entry.Service));
        Assert.Equal(2, Entry(ranking, "core").Factors.BlastRadius);
    }

    [Fact]
    public void Rank_PutsSlowerServiceFirst_WhenErrorsAreEqual()
    {
        var window = Window(("fast", 1_000, 0), ("slow", 1_000, 0));
        var p99 = new Dictionary<string, long> { ["fast"] = 20_000_000, ["slow"] = 900_000_000 };

        var ranking = ReliabilityRanking.Rank(window, p99, new RankingOptions());

        Assert.Equal(["slow", "fast"], ranking.Select(entry => entry.Service));
        Assert.Equal(1, Entry(ranking, "slow").Factors.LatencyFactor);
    }

    [Theory]
    [InlineData(10_000, 99, ServiceHealth.Healthy)]
    [InlineData(10_000, 100, ServiceHealth.Degraded)]
    [InlineData(10_000, 499, ServiceHealth.Degraded)]
    [InlineData(10_000, 500, ServiceHealth.Failing)]
    public void Rank_BandsHealthByOriginatedRate_AtDefaultThresholds(long requests, long originated, ServiceHealth expected)
    {
        var ranking = ReliabilityRanking.Rank(Window(("s", requests, originated)), NoLatency, new RankingOptions());

        Assert.Equal(expected, ranking[0].Health);
    }

    [Fact]
    public void Rank_UsesConfiguredHealthThresholds()
    {
        var options = new RankingOptions { DegradedErrorRate = 0.001, FailingErrorRate = 0.004 };

        var ranking = ReliabilityRanking.Rank(Window(("s", 10_000, 40)), NoLatency, options);

        Assert.Equal(ServiceHealth.Failing, ranking[0].Health);
    }

    [Fact]
    public void Rank_ExplainsRateIntervalVolumeAndDependents_InOneLine()
    {
        var window = Window(("ledger", 120_000, 4_920));
        var reach = ServiceReach.Compute(Enumerable.Range(1, 9).Select(i => ($"s{i}", "ledger")));

        var ranking = ReliabilityRanking.Rank(window, reach, NoLatency, new RankingOptions());

        // 4920/120000 = 4.1%; Wilson half-width 1.96 * sqrt(0.041 * 0.959 / 120000) = 0.11 points.
        Assert.Equal("originates 4.1% errors (±0.1) on 120k requests; 9 services depend on it", ranking[0].Explanation);
    }

    [Fact]
    public void Rank_ScoresZero_WhenNoServiceHasAnyProblem()
    {
        var ranking = ReliabilityRanking.Rank(Window(("a", 100, 0), ("b", 10, 0)), NoLatency, new RankingOptions());

        Assert.All(ranking, entry => Assert.Equal(0, entry.Score));
        Assert.All(ranking, entry => Assert.Equal(ServiceHealth.Healthy, entry.Health));
    }

    [Fact]
    public void Rank_ExplainsNoOriginatedErrorsWithoutInterval_AndNamesLatency()
    {
        var p99 = new Dictionary<string, long> { ["search"] = 558_000_000 };

        var ranking = ReliabilityRanking.Rank(Window(("search", 430, 0)), p99, new RankingOptions());

        Assert.Equal("originates no errors on 430 requests; p99 558 ms; no service depends on it", ranking[0].Explanation);
    }
}
