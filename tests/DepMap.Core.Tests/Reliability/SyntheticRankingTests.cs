using DepMap.Core.Reliability;
using DepMap.Core.Spans;
using Xunit.Abstractions;

namespace DepMap.Core.Tests.Reliability;

public class SyntheticRankingTests(ITestOutputHelper output)
{
    private const int Traces = 4_000;

    private static (ReliabilityStatistics Statistics, Dictionary<string, long> P99) Run(int seed)
    {
        var system = new SyntheticSystem(seed);
        var statistics = new ReliabilityStatistics();
        var serverDurations = new Dictionary<string, List<long>>();
        for (var i = 1; i <= Traces; i++)
        {
            var spans = system.NextTrace((ulong)i);
            statistics.Add(TraceReliability.Analyze(spans));
            foreach (var span in spans.Where(span => span.Kind == SpanKind.Server))
            {
                if (!serverDurations.TryGetValue(span.LocalService!, out var durations))
                {
                    serverDurations[span.LocalService!] = durations = [];
                }
                durations.Add(span.DurationNano);
            }
        }
        var p99 = serverDurations.ToDictionary(pair => pair.Key, pair => ExactP99(pair.Value));
        return (statistics, p99);
    }

    private static long ExactP99(List<long> durations)
    {
        durations.Sort();
        return durations[(int)Math.Ceiling(durations.Count * 0.99) - 1];
    }

    [Theory]
    [InlineData(42)]
    [InlineData(7)]
    public void Rank_PutsTheDeepFaultyServiceFirst_InThirtyServiceSystem(int seed)
    {
        var (statistics, p99) = Run(seed);

        var ranking = ReliabilityRanking.Rank(statistics, p99, new RankingOptions());
        foreach (var entry in ranking.Take(8))
        {
            output.WriteLine($"{entry.Service,-16} {entry.Score,7:0.00} {entry.Health,-8} {entry.Explanation}");
        }

        Assert.Equal(30, SyntheticSystem.Services.Count());
        Assert.Equal(30, ranking.Count);
        Assert.Equal(SyntheticSystem.FaultyService, ranking[0].Service);
        Assert.Equal(ServiceHealth.Failing, ranking[0].Health);
        // The front service sees the most failures, but passes nearly all of them on.
        var gateway = statistics.Services["gateway"].Facts;
        Assert.True(gateway.Errors > statistics.Services[SyntheticSystem.FaultyService].Facts.Errors);
        Assert.True(gateway.PassedOn > 10 * gateway.Originated, $"gateway {gateway}");
        Assert.NotEqual(ServiceHealth.Failing, ranking.Single(entry => entry.Service == "gateway").Health);
    }

    [Fact]
    public void Rank_KeepsTheSlowServiceAboveHealthyOnes_InThirtyServiceSystem()
    {
        var (statistics, p99) = Run(42);

        var ranking = ReliabilityRanking.Rank(statistics, p99, new RankingOptions());

        var slow = ranking.Single(entry => entry.Service == SyntheticSystem.SlowService);
        Assert.True(slow.Factors.SelfTimeShare > 0.5, $"self-time share {slow.Factors.SelfTimeShare}");
        Assert.InRange(ranking.ToList().IndexOf(slow), 1, 4);
    }
}
