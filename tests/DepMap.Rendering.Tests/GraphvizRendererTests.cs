using System.Diagnostics;
using System.Xml.Linq;
using DepMap.Core.Linking;
using Xunit.Abstractions;
using static DepMap.Rendering.Tests.TestGraphs;

namespace DepMap.Rendering.Tests;

public class GraphvizRendererTests(ITestOutputHelper output)
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static List<string> Texts(string svg) =>
        [.. XDocument.Parse(svg).Descendants(Svg + "text").Select(t => t.Value)];

    [Fact]
    public async Task RenderSvgAsync_DrawsEveryServiceWithDot_WhenGraphIsSmall()
    {
        var graph = Of(
            Rpc("logistics", "tracking", 40, callerNamespace: "shop"),
            Rpc("logistics", "logistics-db", 30, NodeType.Database),
            Rpc("tracking", "tracking-db", 20, NodeType.Database));

        var rendered = await new GraphvizRenderer().RenderSvgAsync(graph);

        Assert.Equal(GraphLayout.Dot, rendered.Layout);
        Assert.Null(rendered.Note);
        var texts = Texts(rendered.Svg);
        Assert.All(new[] { "logistics", "tracking", "logistics-db", "tracking-db", "shop" }, name => Assert.Contains(name, texts));
    }

    [Fact]
    public async Task RenderSvgAsync_GivesValidSvgWithNamesIntact_WhenNamesAreHostile()
    {
        var calls = HostileNames.Select((name, i) => Rpc(name, HostileNames[(i + 1) % HostileNames.Length], 5 + i,
            callerNamespace: i % 2 == 0 ? "ns \"</x>\\" : null)).ToArray();

        var rendered = await new GraphvizRenderer().RenderSvgAsync(Of(calls));

        Assert.Equal(GraphLayout.Dot, rendered.Layout);
        var texts = Texts(rendered.Svg);
        Assert.Contains("quote\"d", texts);
        Assert.Contains("back\\slash\\N\\G", texts);
        Assert.Contains("<b>html</b> &amp; <script>alert(1)</script>", texts);
        Assert.Contains("unicode 日本語 🚀 café", texts);
        Assert.Contains("label=\"x\"]; evil [shape=box", texts);
        Assert.Contains("trailing backslash \\", texts);
        Assert.Contains("ns \"</x>\\", texts);
    }

    [Fact]
    public async Task RenderSvgAsync_PlacesRingNodesWithCappedEffort_WhenDotNsLimitIsSet()
    {
        // The ring's placement needs about 30 iterations per node, so a limit of 10 stops it early:
        // the same nodes in the same ranks, placed less tidily, and still drawn by dot.
        var graph = Ring(30);

        var capped = await new GraphvizRenderer().RenderSvgAsync(graph);
        var unlimited = await new GraphvizRenderer(new GraphvizOptions { DotNsLimit = null }).RenderSvgAsync(graph);

        Assert.Equal(GraphLayout.Dot, capped.Layout);
        Assert.Equal(GraphLayout.Dot, unlimited.Layout);
        Assert.Equal(Texts(unlimited.Svg).Order(), Texts(capped.Svg).Order());
        Assert.NotEqual(unlimited.Svg, capped.Svg);
    }

    [Fact]
    public async Task RenderSvgAsync_DrawsSamePicture_WhenLayeredGraphSettlesWithinDotNsLimit()
    {
        var graph = Tiers(6);

        var capped = await new GraphvizRenderer().RenderSvgAsync(graph);
        var unlimited = await new GraphvizRenderer(new GraphvizOptions { DotNsLimit = null }).RenderSvgAsync(graph);

        Assert.Equal(unlimited.Svg, capped.Svg);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task RenderSvgAsync_DrawsWithUncappedDot_WhenCappedDotCrashes()
    {
        // Graphviz 2.43 dies of SIGSEGV on a 280-service ring at nslimit 10; this stand-in dies the
        // same way whenever it is given the cap and otherwise runs the real dot.
        var crashing = Path.Combine(Path.GetTempPath(), $"depmap-crashing-dot-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(crashing, "#!/bin/sh\ncase \"$*\" in *nslimit*) kill -SEGV $$;; esac\nexec dot \"$@\"\n");
        File.SetUnixFileMode(crashing, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            var renderer = new GraphvizRenderer(new GraphvizOptions { DotPath = crashing });

            var rendered = await renderer.RenderSvgAsync(Tiers(3));

            Assert.Equal(GraphLayout.Dot, rendered.Layout);
            Assert.Null(rendered.Note);
            Assert.Contains("svc-14", Texts(rendered.Svg));
        }
        finally
        {
            File.Delete(crashing);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1e9)]
    public void Constructor_RejectsDotNsLimit_WhenDotCannotUseIt(double limit)
    {
        // 1e9 iterations per node overflows dot's int and silently turns placement off.
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new GraphvizRenderer(new GraphvizOptions { DotNsLimit = limit }));

        Assert.Contains("DotNsLimit", error.Message);
    }

    [Fact]
    public async Task RenderSvgAsync_FallsBackToSfdpWithTimeoutNote_WhenDotTimesOutUnderDotMaxEdges()
    {
        // 60 services calling six others at random: about 340 edges, under dot's 400, and dot
        // (nslimit 10) runs for more than 30 s on it, so only the timeout can end it.
        var graph = DenseRandom(60, seed: 1);
        var options = new GraphvizOptions { DotTimeout = TimeSpan.FromSeconds(1), FallbackTimeout = TimeSpan.FromSeconds(6) };
        Assert.InRange(graph.Edges.Count, 300, options.DotMaxEdges);
        var clock = Stopwatch.StartNew();

        var rendered = await new GraphvizRenderer(options).RenderSvgAsync(graph);

        Assert.Equal(GraphLayout.Sfdp, rendered.Layout);
        Assert.Equal("dot did not finish within 1 s: force-directed (sfdp) layout used", rendered.Note);
        Assert.Contains(rendered.Note!, string.Join("\n", Texts(rendered.Svg)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(9), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task RenderSvgAsync_AnswersWithinTenSecondsWithFallbackNote_WhenDenseGraphIsOverDotMaxEdges()
    {
        // About 3,000 edges: dot is skipped; sfdp draws it, or on a busy machine the busiest edges.
        var graph = DenseRandom(500, seed: 1);
        var clock = Stopwatch.StartNew();

        var rendered = await new GraphvizRenderer().RenderSvgAsync(graph);

        clock.Stop();
        Assert.Contains(rendered.Layout, new[] { GraphLayout.Sfdp, GraphLayout.BusiestEdges });
        Assert.NotNull(rendered.Note);
        Assert.Contains(rendered.Note!, string.Join("\n", Texts(rendered.Svg)));
        // The budget is 9 s; the slack covers process start and a machine busy with other builds.
        output.WriteLine($"500 nodes, {graph.Edges.Count} edges: {rendered.Layout} in {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(12), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task RenderSvgAsync_GoesStraightToSfdpWithNote_WhenGraphHasMoreEdgesThanDotMaxEdges()
    {
        // A dot that does not exist proves dot is never started for a graph this size.
        var renderer = new GraphvizRenderer(new GraphvizOptions { DotPath = "/nonexistent/graphviz/dot", DotMaxEdges = 100 });
        var graph = DenseRandom(50, seed: 3);

        var rendered = await renderer.RenderSvgAsync(graph);

        Assert.Equal(GraphLayout.Sfdp, rendered.Layout);
        Assert.Equal($"{graph.Edges.Count} edges, more than dot lays out in time (100): force-directed (sfdp) layout used", rendered.Note);
        Assert.Contains("svc-0", Texts(rendered.Svg));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task RenderSvgAsync_FallsBackToBusiestEdges_WhenSfdpAlsoTimesOut()
    {
        // A stand-in sfdp that hangs in a child process: the timeout must kill the whole tree.
        var hanging = Path.Combine(Path.GetTempPath(), $"depmap-hanging-sfdp-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(hanging, "#!/bin/sh\nsleep 60\n");
        File.SetUnixFileMode(hanging, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            var renderer = new GraphvizRenderer(new GraphvizOptions
            {
                DotTimeout = TimeSpan.FromMilliseconds(300),
                FallbackTimeout = TimeSpan.FromSeconds(3),
                SfdpPath = hanging,
                FallbackMaxEdges = 40,
            });
            var clock = Stopwatch.StartNew();

            var rendered = await renderer.RenderSvgAsync(DenseRandom(500, seed: 2));

            Assert.Equal(GraphLayout.BusiestEdges, rendered.Layout);
            Assert.Contains("showing the 40 busiest of", rendered.Note);
            Assert.Contains(rendered.Note!, string.Join("\n", Texts(rendered.Svg)));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(9), $"took {clock.Elapsed}");
        }
        finally
        {
            File.Delete(hanging);
        }
    }

    [Fact]
    public async Task RenderSvgAsync_GivesPlaceholderSvg_WhenEveryLayoutTimesOut()
    {
        var renderer = new GraphvizRenderer(new GraphvizOptions { DotTimeout = TimeSpan.FromMilliseconds(1), FallbackTimeout = TimeSpan.FromMilliseconds(1) });

        var graph = DenseRandom(300, seed: 4);

        var rendered = await renderer.RenderSvgAsync(graph);

        Assert.Equal(GraphLayout.Placeholder, rendered.Layout);
        Assert.Equal($"graph too dense to draw: 300 nodes, {graph.Edges.Count} edges; use focus or minCalls", rendered.Note);
        Assert.Equal([rendered.Note!], Texts(rendered.Svg));
    }

    [Fact]
    public async Task RenderSvgAsync_ThrowsNotFound_WhenSfdpIsMissingButNeeded()
    {
        var renderer = new GraphvizRenderer(new GraphvizOptions { DotTimeout = TimeSpan.FromMilliseconds(200), SfdpPath = "/nonexistent/sfdp" });

        var error = await Assert.ThrowsAsync<GraphvizNotFoundException>(() => renderer.RenderSvgAsync(DenseRandom(500, seed: 5)));

        Assert.Contains("/nonexistent/sfdp", error.Message);
    }

    [Fact]
    public async Task RenderSvgAsync_ThrowsWithInstallHint_WhenDotIsMissing()
    {
        var renderer = new GraphvizRenderer(new GraphvizOptions { DotPath = "/nonexistent/graphviz/dot" });

        var error = await Assert.ThrowsAsync<GraphvizNotFoundException>(() => renderer.RenderSvgAsync(Of(Rpc("a", "b", 3))));

        Assert.Contains("/nonexistent/graphviz/dot", error.Message);
        Assert.Contains("apt-get install graphviz", error.Message);
    }

    [Fact]
    public async Task RenderSvgAsync_ThrowsWithGraphvizMessage_WhenDotTextIsInvalid()
    {
        var error = await Assert.ThrowsAsync<GraphvizException>(() => new GraphvizRenderer().RenderSvgAsync("digraph { a -> }"));

        Assert.Contains("syntax error", error.Message);
    }

    [Fact]
    public async Task RenderSvgAsync_StopsAtOnce_WhenCallerCancels()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new GraphvizRenderer().RenderSvgAsync(DenseRandom(500, seed: 3), cancel.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task RenderSvgAsync_RunsAtMostMaxConcurrentLayouts_WhenManyRendersStartAtOnce()
    {
        using var dot = CountingDot.Create();
        var renderer = new GraphvizRenderer(new GraphvizOptions { DotPath = dot.Path, MaxConcurrentLayouts = 2, MaxQueuedLayouts = 10, MaxLayoutWait = TimeSpan.FromSeconds(8) });

        var rendered = await Task.WhenAll(Enumerable.Range(2, 6).Select(tiers => renderer.RenderSvgAsync(Tiers(tiers))));

        Assert.All(rendered, r => Assert.Equal(GraphLayout.Dot, r.Layout));
        Assert.Equal(6, dot.Started);
        Assert.Equal(2, dot.MostAtOnce);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task RenderSvgAsync_ThrowsBusy_WhenEverySlotAndQueuePlaceIsTaken()
    {
        using var dot = CountingDot.Create(seconds: 2);
        var renderer = new GraphvizRenderer(new GraphvizOptions { DotPath = dot.Path, MaxConcurrentLayouts = 1, MaxQueuedLayouts = 1, MaxLayoutWait = TimeSpan.FromSeconds(6) });
        var running = renderer.RenderSvgAsync(Tiers(2));
        await dot.WaitForStartsAsync(1);
        var queued = renderer.RenderSvgAsync(Tiers(3));
        var clock = Stopwatch.StartNew();

        var busy = await Assert.ThrowsAsync<GraphvizBusyException>(() => renderer.RenderSvgAsync(Tiers(4)));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), $"refusing took {clock.Elapsed}");
        Assert.Contains("MaxConcurrentLayouts", busy.Message);
        Assert.Equal(TimeSpan.FromSeconds(6), busy.RetryAfter);
        Assert.Equal(GraphLayout.Dot, (await running).Layout);
        Assert.Equal(GraphLayout.Dot, (await queued).Layout);
        Assert.Equal(1, dot.MostAtOnce);
    }

    /// <summary>
    /// The real dot behind a script that logs when each run starts and ends (and holds it for a
    /// while), so a test can count runs and how many overlapped without asking the renderer.
    /// </summary>
    internal sealed class CountingDot : IDisposable
    {
        private readonly string _folder;

        private CountingDot(string folder) => _folder = folder;

        public string Path => System.IO.Path.Combine(_folder, "dot.sh");

        private string Log => System.IO.Path.Combine(_folder, "runs.log");

        [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
        public static CountingDot Create(double seconds = 0.5)
        {
            var folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"depmap-counting-dot-{Guid.NewGuid():N}");
            Directory.CreateDirectory(folder);
            var dot = new CountingDot(folder);
            var delay = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            File.WriteAllText(dot.Path, $"#!/bin/sh\necho start >> '{dot.Log}'\nsleep {delay}\ndot \"$@\"\nrc=$?\necho end >> '{dot.Log}'\nexit $rc\n");
            File.SetUnixFileMode(dot.Path, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            return dot;
        }

        private string[] Lines => File.Exists(Log) ? File.ReadAllLines(Log) : [];

        public int Started => Lines.Count(l => l == "start");

        public int MostAtOnce
        {
            get
            {
                int running = 0, most = 0;
                foreach (var line in Lines)
                {
                    running += line == "start" ? 1 : -1;
                    most = Math.Max(most, running);
                }
                return most;
            }
        }

        public async Task WaitForStartsAsync(int count)
        {
            var clock = Stopwatch.StartNew();
            while (Started < count)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"dot was started {Started} times, not {count}");
                await Task.Delay(20);
            }
        }

        public void Dispose() => Directory.Delete(_folder, recursive: true);
    }
}
