using DepMap.Core.Conformance;
using DepMap.Core.Linking;
using DepMap.Core.Statistics;

namespace DepMap.Core.Tests.Conformance;

public sealed class ConformanceCheckTests
{
    private static readonly ObservedWindow Day = new("test", 0, 86_400_000, TimeSpan.FromDays(1));

    private static ObservedGraph Observed(params (string Caller, string Callee)[] edges)
    {
        var names = edges.SelectMany(e => new[] { e.Caller, e.Callee }).Distinct();
        return new ObservedGraph(
            names.Select(n => new ObservedNode(n, n.EndsWith("-db", StringComparison.Ordinal) ? NodeType.Database : n == "user" ? NodeType.User : NodeType.Service, n == "billing" ? "finance" : null)),
            edges.Select((e, i) => new ObservedEdge(new EdgeKey(e.Caller, e.Callee, ConnectionType.None), 10 + i, i, $"trace{i}")),
            Day);
    }

    private static ArchitectureModel Model(string[] names, params (string From, string To)[] dependencies) => new(
        "test",
        names.Select(n => new DeclaredEntity($"component:default/{n}", "component", n, n == "Billing" ? "payments" : null)),
        dependencies.Select(d => new DeclaredDependency($"component:default/{d.From}", $"component:default/{d.To}")));

    [Fact]
    public void Check_MapsCaseInsensitively_AndIgnoresTheEntryNode_WhenTheModelHasNoActor()
    {
        var report = ConformanceCheck.Run(Model(["Web", "API"], ("Web", "API")), Observed(("user", "web"), ("web", "api")));

        Assert.True(report.Conforms);
        Assert.Equal(["web", "api"], report.Mappings.OrderByDescending(m => m.Entity.Name).Select(m => m.Services.Single()));
    }

    // OpenTelemetry's service.namespace and the entity's namespace both name the team's system: a clash is not the same service.
    [Fact]
    public void Check_RefusesANameMatch_WhenTheNamespacesDiffer()
    {
        var report = ConformanceCheck.Run(Model(["web", "Billing"], ("web", "Billing")), Observed(("web", "billing")));

        var unmapped = Assert.Single(report.UnmappedEntities);
        Assert.Equal("service billing has service.namespace 'finance', the entity's namespace is 'payments'", unmapped.Reason);
        Assert.Equal(["billing"], report.UnknownServices.Select(s => s.Node.Name));
        Assert.Equal(1, report.UncheckedDependencies);
    }

    [Fact]
    public void Check_FindsLayerAndCycleViolations_WithTheirEvidence()
    {
        var rules = new ConformanceRules
        {
            Layers = [new LayerRule("front", [new NodeSelector(Service: "web")]), new LayerRule("back", [new NodeSelector(Service: "*")])],
            NoCycles = true,
        };
        var observed = Observed(("web", "api"), ("api", "web"), ("api", "api-db"));

        var report = ConformanceCheck.Run(Model(["web", "api", "api-db"], ("web", "api"), ("api", "web"), ("api", "api-db")), observed, rules);

        Assert.Equal(["layer:api -> web", "cycle:api, web"], report.Violations.Select(v => $"{v.Rule}:{v.Subject}"));
        Assert.Equal(11, report.Violations[0].CallCount);
        Assert.Equal("trace1", report.Violations[0].ExemplarTraceId);
        Assert.Equal(2, report.Violations[1].Edges.Count);
    }

    [Fact]
    public void WindowNote_SaysTheWindowIsTooShort_OnlyBelowTheMinimum()
    {
        Assert.Null(ConformanceCheck.WindowNote(Day, TimeSpan.FromDays(1)));
        Assert.Equal("the window is 1h, shorter than 1d: a dependency used less often may only look unused",
            ConformanceCheck.WindowNote(Day with { Length = TimeSpan.FromHours(1) }, TimeSpan.FromDays(1)));
        Assert.Contains("unknown", ConformanceCheck.WindowNote(Day with { Length = null }, TimeSpan.FromDays(1)), StringComparison.Ordinal);
    }
}
