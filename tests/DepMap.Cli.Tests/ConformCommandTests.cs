using System.Text.Json;
using DepMap.Core.Snapshots;

namespace DepMap.Cli.Tests;

/// <summary>
/// <c>depmap conform</c> on the committed example models against the 30-service traces, linked
/// from the trace file or read from a snapshot of them: the deliberate drifts and the exit codes.
/// </summary>
public sealed class ConformCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string Traces => Cli.Example(ThirtyServiceExample.FileName);

    private static string Model(string name) => Cli.Example(Path.Combine("conformance", name));

    [Fact]
    public async Task Conform_ExitsOneWithTheTwoDrifts_WhenTheCatalogIsCheckedAgainstTheTraceFile()
    {
        var (code, output, error) = await Cli.RunAsync("conform", Model("thirty-services.catalog.yaml"), "--against", Traces);

        Assert.Equal(1, code);
        Assert.Empty(error);
        var findings = output.Split('\n').Where(l => l.Length > 0 && "+-?!".Contains(l[0], StringComparison.Ordinal)).ToList();
        Assert.Equal(2, findings.Count);
        Assert.StartsWith("+ undeclared orders -> notifications: 45 calls, 1 errors, trace ", findings[0], StringComparison.Ordinal);
        Assert.StartsWith("- unused component:default/search -> component:default/catalog (via dependsOn): no call from search to catalog", findings[1], StringComparison.Ordinal);
        Assert.Contains("note: the window is 499.013s, shorter than 1d", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("undeclared-edge", 1)]
    [InlineData("unused-edge", 1)]
    [InlineData("unmapped-entity,unknown-service,violation", 0)]
    [InlineData("none", 0)]
    public async Task Conform_ExitsByFailOn_WhenTheCatalogDrifted(string failOn, int expected)
    {
        var (code, _, _) = await Cli.RunAsync("conform", Model("thirty-services.catalog.yaml"), "--against", Traces, "--fail-on", failOn);

        Assert.Equal(expected, code);
    }

    [Fact]
    public async Task Conform_WritesTheViolationsAsJson_WhenTheCalmModelIsCheckedWithRulesAgainstASnapshot()
    {
        var snapshot = _temp.File("snapshot.json");
        var statistics = TraceAnalysis.Of(ThirtyServiceExample.Spans()).Graph;
        await File.WriteAllBytesAsync(snapshot, SnapshotJson.WriteUtf8(Snapshot.Of(statistics, TimeSpan.FromHours(1), "example")));

        var (code, output, error) = await Cli.RunAsync(
            "conform", Model("thirty-services.calm.json"), "--against", snapshot, "--rules", Model("shop-rules.yaml"), "--format", "json");

        Assert.True(code == 1, error);
        using var report = JsonDocument.Parse(output);
        var root = report.RootElement;
        Assert.Equal("calm", root.GetProperty("model").GetProperty("format").GetString());
        Assert.Equal(["forbidden-edge", "fan-out", "undeclared-service"], root.GetProperty("violations").EnumerateArray().Select(v => v.GetProperty("rule").GetString()));
        Assert.Equal(["sms"], root.GetProperty("unknownServices").EnumerateArray().Select(v => v.GetProperty("service").GetString()));
        Assert.Equal(["node:legacy-mainframe"], root.GetProperty("unmappedEntities").EnumerateArray().Select(v => v.GetProperty("entity").GetString()));
        Assert.Equal(62, root.GetProperty("violations")[0].GetProperty("calls").GetInt64());
    }

    [Fact]
    public async Task Conform_ExitsZero_WhenTheModelIsTheStructurizrWorkspaceWithItsDriftsMapped()
    {
        // The workspace's drifts are notifications -> sms (undeclared) and reviews -> search (unused): failing on neither kind passes.
        var (code, output, _) = await Cli.RunAsync("conform", Model("thirty-services.structurizr.json"), "--against", Traces, "--fail-on", "unmapped-entity,unknown-service,violation");

        Assert.Equal(0, code);
        Assert.Contains("+ undeclared notifications -> sms", output, StringComparison.Ordinal);
        Assert.Contains("- unused container:Shop/reviews -> container:Shop/search", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "conform" }, "MODEL is required")]
    [InlineData(new[] { "conform", "catalog.yaml" }, "--against is required")]
    [InlineData(new[] { "conform", "nothing-here.yaml", "--against", "x.json" }, "MODEL nothing-here.yaml: no such file")]
    [InlineData(new[] { "conform", "@model", "--against", "@traces", "--fail-on", "drift" }, "--fail-on: unknown kind 'drift'")]
    [InlineData(new[] { "conform", "@model", "--against", "@traces", "--format", "xml" }, "--format: unknown format 'xml'")]
    [InlineData(new[] { "conform", "@bad-model", "--against", "@traces" }, "spec.dependsOn[0]: 'orders-db' has no kind")]
    [InlineData(new[] { "conform", "@model", "--against", "@traces", "--rules", "@bad-rules" }, "forbidden[0]: unknown field 'form'")]
    [InlineData(new[] { "conform", "@model", "--against", "@model" }, "not a DepMap snapshot, graph JSON or trace file")]
    public async Task Conform_ExitsTwoNamingTheProblem_WhenAnInputCannotBeUsed(string[] args, string expected)
    {
        var badModel = _temp.Write("bad.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: orders\nspec:\n  dependsOn:\n    - orders-db\n");
        var badRules = _temp.Write("rules.yaml", "forbidden:\n  - form: web\n    to: { type: database }\n");
        var resolved = args.Select(a => a switch
        {
            "@model" => Model("thirty-services.catalog.yaml"),
            "@traces" => Traces,
            "@bad-model" => badModel,
            "@bad-rules" => badRules,
            _ => a,
        }).ToArray();

        var (code, _, error) = await Cli.RunAsync(resolved);

        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
