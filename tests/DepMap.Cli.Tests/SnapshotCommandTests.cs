using DepMap.Core.Snapshots;
using DepMap.Core.Writers;

namespace DepMap.Cli.Tests;

public sealed class SnapshotCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("depmap-snapshot-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Snapshot_SavesTheServersGraphAsABaseline_WhenServerAnswers()
    {
        var current = SnapshotJson.WriteUtf8(Traffic.Snapshot());
        using var server = new GraphServer(new() { ["/graph/snapshot.json?lookback=1h"] = (200, current) });
        var file = Path.Combine(_dir, "baseline.json");

        var (code, _, error) = await Cli.RunAsync("snapshot", "--server", server.Url, "-o", file, "--label", "release-1");

        Assert.Equal(0, code);
        Assert.Empty(error);
        Assert.Equal(SnapshotJson.WriteUtf8(Traffic.Snapshot(label: "release-1")), await File.ReadAllBytesAsync(file));
        var (diffCode, _, _) = await Cli.RunAsync("diff", "--base", file, "--head", server.Url);
        Assert.Equal(0, diffCode);
    }

    [Fact]
    public async Task Snapshot_ExitsTwo_WhenServerOffersOnlyGraphJson()
    {
        var graph = JsonGraphWriter.WriteUtf8(Traffic.Snapshot().Graph!);
        using var server = new GraphServer(new() { ["/graph.json?lookback=1h"] = (200, graph) });

        var (code, _, error) = await Cli.RunAsync("snapshot", "--server", server.Url, "-o", Path.Combine(_dir, "x.json"));

        Assert.Equal(2, code);
        Assert.Contains("no statistics to keep", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "x.json")));
    }

    [Theory]
    [InlineData(new string[0], "--server is required")]
    [InlineData(new[] { "--server", "not a url" }, "--server: 'not a url' is not an http or https URL")]
    public async Task Snapshot_ExitsTwoNamingTheOption_WhenServerIsMissingOrBad(string[] args, string expected)
    {
        var (code, _, error) = await Cli.RunAsync(["snapshot", .. args]);

        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
