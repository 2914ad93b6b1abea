using DepMap.Core.Reliability;

namespace DepMap.Core.Tests.Reliability;

/// <summary>The worked example of docs/ranking.md; its figures were computed by hand from the formula.</summary>
public class RankingWorkedExampleTests
{
    private const long EndToEnd = 1_000_000_000_000;

    private static ReliabilityStatistics Window()
    {
        var statistics = new ReliabilityStatistics();
        statistics.SetTraces(100_002);
        (string Name, long Requests, long Originated, double SelfShare, long Traces)[] services =
        [
            ("gateway", 100_000, 20, 0.05, 100_000),
            ("payments", 100_000, 500, 0.30, 100_000),
            ("search", 30_000, 0, 0.60, 30_000),
            ("flaky-cron", 2, 1, 0.90, 2),
        ];
        foreach (var (name, requests, originated, selfShare, traces) in services)
        {
            var totals = statistics.Totals(name);
            totals.Facts = new ServiceFacts(requests, originated, originated, 0, (long)(selfShare * EndToEnd));
            totals.EndToEndNano = EndToEnd;
            totals.Traces = traces;
        }
        return statistics;
    }

    [Fact]
    public void Rank_GivesTheDocumentedScoresAndOrder_ForTheWorkedExample()
    {
        var reach = ServiceReach.Compute([("gateway", "payments"), ("gateway", "search")]);
        var p99 = new Dictionary<string, long>
        {
            ["gateway"] = 400_000_000,
            ["payments"] = 120_000_000,
            ["search"] = 800_000_000,
            ["flaky-cron"] = 50_000_000,
        };

        var ranking = ReliabilityRanking.Rank(Window(), reach, p99, new RankingOptions());

        Assert.Equal(["payments", "search", "flaky-cron", "gateway"], ranking.Select(entry => entry.Service));
        Assert.Equal([23.26, 19.75, 12.33, 6.95], ranking.Select(entry => Math.Round(entry.Score, 2)));
        var payments = ranking[0].Factors;
        Assert.Equal(0.00458, payments.OriginatedErrorRateLower, 5);
        Assert.Equal(458.14, payments.ConfidentOriginatedErrors, 2);
        Assert.Equal(0.3027, payments.ErrorFactor, 4);
        Assert.Equal(0.0203, ranking[2].Factors.ErrorFactor, 4);
    }
}
