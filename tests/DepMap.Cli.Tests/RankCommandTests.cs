using System.Text.Json;
using DepMap.Core.Tests.Reliability;

namespace DepMap.Cli.Tests;

public class RankCommandTests
{
    [Fact]
    public async Task Rank_PutsTheFaultyDeepServiceFirst_InTheCommittedThirtyServiceExample()
    {
        var result = await Cli.RunAsync("rank", Cli.Example(ThirtyServiceExample.FileName), "--format", "json");

        Assert.Equal(0, result.ExitCode);
        using var ranking = JsonDocument.Parse(result.Stdout);
        var entries = ranking.RootElement.EnumerateArray().ToList();
        Assert.Equal(30, entries.Count);
        Assert.Equal(SyntheticSystem.FaultyService, entries[0].GetProperty("service").GetString());
        Assert.Equal("failing", entries[0].GetProperty("health").GetString());
        Assert.StartsWith("originates ", entries[0].GetProperty("explanation").GetString(), StringComparison.Ordinal);
        var gateway = entries.Single(e => e.GetProperty("service").GetString() == "gateway").GetProperty("factors");
        Assert.True(gateway.GetProperty("passedOnErrors").GetInt64() > 5 * gateway.GetProperty("originatedErrors").GetInt64());
        var scores = entries.Select(e => e.GetProperty("score").GetDouble()).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(1)]
    public async Task Rank_PutsTheFaultyDeepServiceFirst_WithOtherSeeds(int seed)
    {
        using var folder = new TempFolder();
        var file = folder.Write("traces.json", ThirtyServiceExample.ZipkinJson(seed));

        var result = await Cli.RunAsync("rank", file);

        Assert.Equal(0, result.ExitCode);
        var first = result.Stdout.Split('\n')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["1", SyntheticSystem.FaultyService], first[..2]);
        Assert.Equal("failing", first[3]);
    }

    [Fact]
    public async Task Rank_WritesTheCommittedExampleRanking()
    {
        // docs/examples/thirty-services-ranking.txt was written by this command (and is in the README).
        var result = await Cli.RunAsync("rank", Cli.Example(ThirtyServiceExample.FileName));

        Assert.Equal(await File.ReadAllTextAsync(Cli.Example("thirty-services-ranking.txt")), result.Stdout);
    }

    [Fact]
    public async Task Rank_WritesOneCsvRowPerService_WhenAskedForCsv()
    {
        var result = await Cli.RunAsync("rank", Cli.Example(ThirtyServiceExample.FileName), "-f", "csv");

        Assert.Equal(0, result.ExitCode);
        var rows = result.Stdout.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(31, rows.Length);
        Assert.StartsWith("service,score,health,requests,originatedErrors,passedOnErrors,", rows[0], StringComparison.Ordinal);
        Assert.StartsWith($"{SyntheticSystem.FaultyService},", rows[1], StringComparison.Ordinal);
        Assert.Contains(",failing,", rows[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rank_NamesTheFileAndWritesNothing_WhenAFileIsMalformed()
    {
        using var folder = new TempFolder();
        var bad = folder.Write("bad.json", "{\"data\":[{\"traceID\":\"abc\",\"spans\":[{]}]}");

        var result = await Cli.RunAsync("rank", Cli.Example("logistics-tracking.otlp.json"), bad);

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains($"{bad}: malformed Jaeger JSON", result.Stderr, StringComparison.Ordinal);
    }
}
