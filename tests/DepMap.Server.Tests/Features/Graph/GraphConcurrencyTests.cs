using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace DepMap.Server.Tests.Features.Graph;

/// <summary>
/// /graph.svg under concurrent requests: the real dot behind a script that logs each run, so the
/// test counts Graphviz processes from outside the app.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class GraphConcurrencyTests : IDisposable
{
    private readonly string _folder = DepMapFactory.NewFolder();

    private string Dot => Path.Combine(_folder, "dot.sh");

    private string[] Runs => File.Exists(Path.Combine(_folder, "runs.log")) ? File.ReadAllLines(Path.Combine(_folder, "runs.log")) : [];

    private DepMapFactory Factory(double dotSeconds, int slots, int queue)
    {
        File.WriteAllText(Dot, "#!/bin/sh\necho start >> '" + Path.Combine(_folder, "runs.log") + "'\nsleep "
            + dotSeconds.ToString(CultureInfo.InvariantCulture) + "\ndot \"$@\"\nrc=$?\necho end >> '" + Path.Combine(_folder, "runs.log") + "'\nexit $rc\n");
        File.SetUnixFileMode(Dot, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        return new DepMapFactory(DepMapFactory.NewFolder(), ownsFolder: true, new()
        {
            ["Graph:DotPath"] = Dot,
            ["Graph:WarmUpOnStart"] = "false",
            ["Graph:MaxConcurrentLayouts"] = slots.ToString(CultureInfo.InvariantCulture),
            ["Graph:MaxQueuedLayouts"] = queue.ToString(CultureInfo.InvariantCulture),
            ["Graph:MaxLayoutWaitSeconds"] = "4",
        });
    }

    private static string Window(int hours) => $"/graph.svg?from=2025-01-01T00:00:00Z&to=2025-01-01T{hours:00}:00:00Z";

    [Fact]
    public async Task GraphSvg_Answers503WithRetryAfterWithinTenSeconds_WhenMoreDistinctRequestsThanLayoutSlots()
    {
        using var factory = Factory(dotSeconds: 1, slots: 1, queue: 2);
        var client = factory.CreateClient();
        var clock = Stopwatch.StartNew();

        var answers = await Task.WhenAll(Enumerable.Range(1, 12).Select(async hours =>
        {
            var response = await client.GetAsync(Window(hours));
            return (response, Elapsed: clock.Elapsed);
        }));

        Assert.All(answers, a => Assert.True(a.Elapsed < TimeSpan.FromSeconds(10), $"answered after {a.Elapsed}"));
        Assert.All(answers, a => Assert.Contains(a.response.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable }));
        var busy = answers.Where(a => a.response.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(busy);
        Assert.Contains(answers, a => a.response.StatusCode == HttpStatusCode.OK);
        Assert.All(busy, a => Assert.Equal(TimeSpan.FromSeconds(4), a.response.Headers.RetryAfter?.Delta));
        Assert.Contains("Graphviz is busy", await busy[0].response.ProblemDetailAsync());
        int running = 0, most = 0;
        foreach (var line in Runs)
        {
            running += line == "start" ? 1 : -1;
            most = Math.Max(most, running);
        }
        Assert.Equal(1, most);
        Assert.Equal(answers.Count(a => a.response.StatusCode == HttpStatusCode.OK), Runs.Count(l => l == "start"));
    }

    [Fact]
    public async Task GraphSvg_RunsOneLayout_WhenIdenticalRequestsArriveTogether()
    {
        using var factory = Factory(dotSeconds: 1, slots: 2, queue: 8);
        var client = factory.CreateClient();

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.GetAsync(Window(3))));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Single(Runs, l => l == "start");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
