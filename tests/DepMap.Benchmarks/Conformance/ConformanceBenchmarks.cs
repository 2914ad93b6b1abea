using System.Text;
using BenchmarkDotNet.Attributes;
using DepMap.Benchmarks.Rendering;
using DepMap.Core.Conformance;
using DepMap.Core.Graph;
using DepMap.Core.Linking;
using DepMap.ModelImport;

namespace DepMap.Benchmarks.Conformance;

/// <summary>
/// A 2,000-entity Backstage catalog checked against the window graph of a 2,000-service system
/// (plus its databases) with every rule on: the catalog is the system's own export cut to its
/// first 2,000 entities, so most edges are declared and the rest are findings. Baseline: building
/// the observed graph from the window's statistics, what every graph request pays anyway.
/// </summary>
[MemoryDiagnoser]
public class ConformanceBenchmarks
{
    private const int Entities = 2000;

    private Core.Statistics.GraphStatistics _statistics = null!;
    private ServiceGraph _graph = null!;
    private byte[] _catalog = null!;
    private ArchitectureModel _model = null!;
    private ConformanceRules _rules = null!;

    [GlobalSetup]
    public void Setup()
    {
        _statistics = SyntheticGraphs.Layered(2000, seed: 7);
        _graph = ServiceGraph.From(_statistics);
        var exported = ModelExport.BackstageYaml(_graph).Split("---\n");
        _catalog = Encoding.UTF8.GetBytes(string.Join("---\n", exported.Take(Entities + 1)));
        _model = ModelReader.Read(_catalog, "catalog");
        _rules = new ConformanceRules
        {
            Forbidden = [new ForbiddenEdgeRule(new NodeSelector(Service: "svc-00*"), new NodeSelector(Type: "database"))],
            Layers = [new LayerRule("edge", [new NodeSelector(Service: "svc-000*")]), new LayerRule("rest", [new NodeSelector(Service: "*")])],
            NoCycles = true,
            MaxFanOut = 3,
            EveryServiceDeclared = true,
        };
        var report = CheckOnly();
        Console.WriteLine($"// {_model.Entities.Count} entities, {_model.Dependencies.Count} dependencies; observed {_graph.Nodes.Count} nodes " +
            $"({_graph.Nodes.Count(n => n.Type == NodeType.Service)} services), {_graph.Edges.Count} edges; findings: {report.UndeclaredEdges.Count} undeclared, " +
            $"{report.UnusedEdges.Count} unused, {report.UnknownServices.Count} unknown, {report.Violations.Count} violations");
    }

    [Benchmark(Baseline = true)]
    public ServiceGraph BuildObservedGraph() => ServiceGraph.From(_statistics);

    [Benchmark]
    public ConformanceReport CheckOnly() =>
        ConformanceCheck.Run(_model, ObservedGraph.From(_graph, new ObservedWindow("bench", 0, 3_600_000, TimeSpan.FromHours(1))), _rules);

    [Benchmark]
    public ArchitectureModel ReadCatalogOnly() => ModelReader.Read(_catalog, "catalog");

    [Benchmark]
    public int ParseCheckAndWriteJson()
    {
        var model = ModelReader.Read(_catalog, "catalog");
        var report = ConformanceCheck.Run(model, ObservedGraph.From(_graph, new ObservedWindow("bench", 0, 3_600_000, TimeSpan.FromHours(1))), _rules);
        return ConformanceJsonWriter.WriteUtf8(report).Length;
    }
}
