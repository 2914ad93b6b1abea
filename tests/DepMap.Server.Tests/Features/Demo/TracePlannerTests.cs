using DepMap.Demo;

namespace DepMap.Server.Tests.Features.Demo;

/// <summary>The simulated traffic itself, before the SDK: seeded, and quick to reach every service.</summary>
public sealed class TracePlannerTests
{
    [Fact]
    public void Planner_ReachesAllThirtyServices_WithinTheFirstHundredTraces()
    {
        // At the demo's 10 traces/s that is its first 10 s: the map is complete from the first aggregation runs.
        var planner = new TracePlanner(DemoSystems.Thirty, seed: 42);
        var seen = new HashSet<string>();
        var traces = 0;
        while (seen.Count < DemoSystems.Thirty.Services.Count && traces < 1000)
        {
            seen.UnionWith(planner.NextTrace().SelfAndDescendants().Select(s => s.Service));
            traces++;
        }

        Assert.True(traces <= 100, $"all 30 services only after {traces} traces");
    }

    [Fact]
    public void Planner_PlansTheSameTraces_WhenTheSeedIsTheSame()
    {
        static string Plan(int seed)
        {
            var planner = new TracePlanner(DemoSystems.Thirty, seed);
            return string.Join('\n', Enumerable.Range(0, 50).SelectMany(_ => planner.NextTrace().SelfAndDescendants())
                .Select(s => $"{s.Service} {s.Name} {s.Kind} {s.StartMs:F6} {s.DurationMs:F6} {s.Failed}"));
        }

        Assert.Equal(Plan(7), Plan(7));
        Assert.NotEqual(Plan(7), Plan(8));
    }

    [Fact]
    public void Planner_CallsTheNewDependency_OnlyOnceChanged()
    {
        var planner = new TracePlanner(DemoSystems.Thirty, seed: 42);
        bool CallsIt(int traces) => Enumerable.Range(0, traces).Any(_ => planner.NextTrace().SelfAndDescendants()
            .Any(s => s.Service == DemoSystems.ChangeCaller && s.Children.Any(c => c.Service == DemoSystems.ChangeCallee)));

        Assert.False(CallsIt(500));
        planner.Changed = true;
        Assert.True(CallsIt(500));
    }
}
