using System.Diagnostics;
using System.Text.Json;
using DepMap.Core.Graph;
using DepMap.Core.Snapshots;
using DepMap.Core.Writers;
using DepMap.Tests.Shared;

namespace DepMap.Cli.Tests;

public sealed class DiffCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("depmap-diff-").FullName;
    private readonly string _baseline;

    public DiffCommandTests() => _baseline = Traffic.WriteFile(_dir, "baseline.json", Traffic.Snapshot(label: "baseline"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Diff_ExitsZero_WhenHeadIsTheSameTraffic()
    {
        var head = Traffic.WriteFile(_dir, "head.json", Traffic.Snapshot(label: "other label"));

        var (code, output, error) = await Cli.RunAsync("diff", "--base", _baseline, "--head", head);

        Assert.Equal(0, code);
        Assert.Contains("no change in topology and no regression", output, StringComparison.Ordinal);
        Assert.Empty(error);
    }

    [Theory]
    [InlineData("added-edge", 1)]
    [InlineData("removed-edge,regression", 0)]
    [InlineData("added-node", 1)]
    [InlineData("none", 0)]
    public async Task Diff_ExitsByFailOn_WhenAnEdgeWasAdded(string failOn, int expected)
    {
        var head = Traffic.WriteFile(_dir, "head.json", Traffic.Snapshot(addEdge: true));

        var (code, output, _) = await Cli.RunAsync("diff", "--base", _baseline, "--head", head, "--fail-on", failOn);

        Assert.Equal(expected, code);
        Assert.Contains("+ edge logistics -> inventory: 10 calls", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("removed-edge", 1)]
    [InlineData("added-edge,regression", 0)]
    public async Task Diff_ExitsByFailOn_WhenAnEdgeWasRemoved(string failOn, int expected)
    {
        var head = Traffic.WriteFile(_dir, "head.json", Traffic.Snapshot(removeEdge: true));

        var (code, output, _) = await Cli.RunAsync("diff", "--base", _baseline, "--head", head, "--fail-on", failOn);

        Assert.Equal(expected, code);
        Assert.Contains("- edge tracking -> tracking-db (database)", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], 1, true)]
    [InlineData(new[] { "--fail-on", "regression" }, 1, true)]
    [InlineData(new[] { "--fail-on", "added-edge,removed-edge" }, 0, true)]
    [InlineData(new[] { "--error-rate-rise", "31" }, 0, false)]
    public async Task Diff_ExitsByFailOnAndThreshold_WhenAnEdgeRegressed(string[] extra, int expected, bool reported)
    {
        var head = Traffic.WriteFile(_dir, "head.json", Traffic.Snapshot(regress: true));

        var (code, output, _) = await Cli.RunAsync(["diff", "--base", _baseline, "--head", head, .. extra]);

        Assert.Equal(expected, code);
        Assert.Equal(reported, output.Contains("! edge logistics -> tracking regressed: errors 10.0% -> 40.0% (+30.0 pt)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Diff_WritesDocumentedJson_WhenFormatJson()
    {
        var head = Traffic.WriteFile(_dir, "head.json", Traffic.Snapshot(addEdge: true, regress: true));

        var (code, output, _) = await Cli.RunAsync("diff", "--base", _baseline, "--head", head, "--format", "json");

        Assert.Equal(1, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("baseline", json.RootElement.GetProperty("base").GetProperty("label").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("summary").GetProperty("addedEdges").GetInt32());
        Assert.Equal(1, json.RootElement.GetProperty("summary").GetProperty("regressedEdges").GetInt32());
    }

    [Fact]
    public async Task Diff_ExitsTwoNamingTheFile_WhenBaselineIsMissing()
    {
        var missing = Path.Combine(_dir, "nope.json");

        var (code, output, error) = await Cli.RunAsync("diff", "--base", missing, "--head", _baseline);

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains($"--base {missing}: no such file", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"format\":\"depmap-snapshot\",\n\"version\":1,\n\"label\": }", "$: malformed JSON at line 3, byte 10: '}' is an invalid start of a value.\n")]
    [InlineData("{\"nodes\":[],\"edges\":[{\"source\":\"a\",\"target\":\"b\",\"callCount\":-1,\"errorCount\":0}]}", "$.edges[0].callCount")]
    [InlineData("", "malformed JSON at line 1")]
    public async Task Diff_ExitsTwoNamingThePosition_WhenBaselineIsMalformed(string content, string expected)
    {
        var broken = Path.Combine(_dir, "broken.json");
        await File.WriteAllTextAsync(broken, content);

        var (code, _, error) = await Cli.RunAsync("diff", "--base", broken, "--head", _baseline);

        Assert.Equal(2, code);
        Assert.Contains($"--base {broken}: not a DepMap snapshot or graph JSON: ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--fail-on", "added-edge,typo" }, "--fail-on: unknown kind 'typo'")]
    [InlineData(new[] { "--format", "yaml" }, "--format: unknown format 'yaml'")]
    [InlineData(new[] { "--p99-rise", "lots" }, "--p99-rise: 'lots' is not a number")]
    [InlineData(new[] { "--bogus" }, "unexpected argument '--bogus'")]
    public async Task Diff_ExitsTwoNamingTheOption_WhenCommandLineIsWrong(string[] extra, string expected)
    {
        var (code, _, error) = await Cli.RunAsync(["diff", "--base", _baseline, "--head", _baseline, .. extra]);

        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--head", "--base is required")]
    [InlineData("--base", "--head is required")]
    public async Task Diff_ExitsTwo_WhenASideIsNotGiven(string given, string expected)
    {
        var (code, _, error) = await Cli.RunAsync("diff", given, _baseline, given == "--base" ? "--head" : "--base");

        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diff_ExitsTwoNamingTheUrl_WhenServerIsUnreachable()
    {
        var url = $"http://127.0.0.1:{TestMachine.FreePort()}/";

        var (code, _, error) = await Cli.RunAsync("diff", "--base", _baseline, "--head", url);

        Assert.Equal(2, code);
        Assert.Contains($"--head {url}graph/snapshot.json?lookback=1h: cannot reach the server", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diff_FetchesTheCurrentGraphAsSnapshot_WhenHeadIsAServerUrl()
    {
        using var server = new GraphServer(new()
        {
            ["/graph/snapshot.json?lookback=2h"] = (200, SnapshotJson.WriteUtf8(Traffic.Snapshot(regress: true))),
        });

        var (code, output, error) = await Cli.RunAsync("diff", "--base", _baseline, "--head", server.Url, "--lookback", "2h");

        Assert.Equal(1, code);
        Assert.Empty(error);
        Assert.Contains("! edge logistics -> tracking regressed", output, StringComparison.Ordinal);
        Assert.Equal(["/graph/snapshot.json?lookback=2h"], server.Requests);
    }

    [Fact]
    public async Task Diff_ReadsGraphJson_WhenServerHasNoSnapshotEndpoint()
    {
        var graph = JsonGraphWriter.WriteUtf8(Traffic.Snapshot(addEdge: true).Graph!);
        using var server = new GraphServer(new() { ["/graph.json?lookback=1h"] = (200, graph) });

        var (code, output, _) = await Cli.RunAsync("diff", "--base", _baseline, "--head", server.Url, "--fail-on", "added-edge");

        Assert.Equal(1, code);
        Assert.Contains("+ edge logistics -> inventory", output, StringComparison.Ordinal);
        Assert.Contains("window unknown", output, StringComparison.Ordinal);
        Assert.Equal(["/graph/snapshot.json?lookback=1h", "/graph.json?lookback=1h"], server.Requests);
    }

    [Fact]
    public async Task Diff_ExitsTwoWithTheServersAnswer_WhenServerRefusesTheWindow()
    {
        using var server = new GraphServer(new() { ["/graph/snapshot.json?lookback=1y"] = (400, "{\"detail\":\"lookback: '1y' is not a duration\"}"u8.ToArray()) });

        var (code, _, error) = await Cli.RunAsync("diff", "--base", _baseline, "--head", server.Url, "--lookback", "1y");

        Assert.Equal(2, code);
        Assert.Contains("answered 400", error, StringComparison.Ordinal);
        Assert.Contains("lookback: '1y' is not a duration", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DepmapExecutable_ExitsOneOnDrift_WhenRunAsAProcess()
    {
        var head = Traffic.WriteFile(_dir, "head.json", Traffic.Snapshot(addEdge: true));
        var dll = Path.Combine(AppContext.BaseDirectory, "depmap.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { dll, "diff", "--base", _baseline, "--head", head })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(1, process.ExitCode);
        Assert.Contains("+ edge logistics -> inventory", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Snapshot_ReadsBackTheSameGraph_WhenWrittenByTheTraffic()
    {
        var read = SnapshotJson.Read(File.ReadAllBytes(_baseline));

        Assert.Equal(DotWriter.Write(Traffic.Snapshot().Graph!), DotWriter.Write(read.Graph ?? ServiceGraph.From(new())));
    }
}
