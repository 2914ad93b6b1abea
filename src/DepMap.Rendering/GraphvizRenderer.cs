using System.Diagnostics;
using System.Globalization;
using System.Security;
using DepMap.Core.Graph;
using DepMap.Core.Writers;

namespace DepMap.Rendering;

/// <summary>
/// Draws a service graph as SVG with the real Graphviz. dot gives the best picture but can run for
/// minutes on a dense cyclic graph, so it gets a hard timeout, and graphs with more than
/// <see cref="GraphvizOptions.DotMaxEdges"/> edges skip it; then sfdp (force-directed, fast on
/// thousands of nodes), then dot with straight edges on the busiest edges only, then a text
/// placeholder. Every fallback says so in the picture. dot's node placement is capped
/// (<see cref="GraphvizOptions.DotNsLimit"/>) and run again uncapped if dot crashes under the cap.
/// One instance can serve concurrent renders: at most <see cref="GraphvizOptions.MaxConcurrentLayouts"/>
/// of them run Graphviz at once, the time spent waiting for a slot counts against the budget, and
/// a render that cannot have a slot in time throws <see cref="GraphvizBusyException"/>.
/// </summary>
public sealed class GraphvizRenderer
{
    // Prism overlap removal took 8 of sfdp's 10 s on 2,000 services here; scaling the layout apart
    // and the fast quadtree draw them in about 1 s, still without overlapping nodes.
    private static readonly string[] SfdpAttributes = ["overlap=scale", "quadtree=fast"];

    private readonly GraphvizOptions _options;
    private readonly LayoutGate _gate;

    public GraphvizRenderer(GraphvizOptions? options = null)
    {
        _options = Validated(options ?? new GraphvizOptions());
        _gate = new LayoutGate(_options);
    }

    public async Task<RenderedSvg> RenderSvgAsync(ServiceGraph graph, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var clock = Stopwatch.StartNew();
        using var slot = await _gate.EnterAsync(MaxWait, cancellationToken);
        string note;
        TimeSpan sfdpTimeout;
        if (graph.Edges.Count <= _options.DotMaxEdges)
        {
            var svg = await RunAsync(_options.DotPath, "dot", DotWriter.Write(graph), _options.DotTimeout, clock, cancellationToken);
            if (svg is not null)
            {
                return new RenderedSvg(svg, GraphLayout.Dot, null);
            }
            note = $"dot did not finish within {Seconds(_options.DotTimeout)}: force-directed (sfdp) layout used";
            sfdpTimeout = _options.FallbackTimeout;
        }
        else
        {
            // Waiting for dot to time out on a graph this size would spend most of the budget for nothing.
            note = $"{graph.Edges.Count} edges, more than dot lays out in time ({_options.DotMaxEdges}): force-directed (sfdp) layout used";
            sfdpTimeout = _options.DotTimeout;
        }

        var sfdpDot = DotWriter.Write(graph, new DotWriterOptions { Caption = note, Clusters = false });
        var sfdpSvg = await RunAsync(_options.SfdpPath, "sfdp", sfdpDot, sfdpTimeout, clock, cancellationToken);
        if (sfdpSvg is not null)
        {
            return new RenderedSvg(sfdpSvg, GraphLayout.Sfdp, note);
        }

        var busiest = graph.KeepBusiestEdges(_options.FallbackMaxEdges);
        note = $"graph too dense to lay out within {Seconds(_options.DotTimeout + _options.FallbackTimeout)}: "
            + $"showing the {busiest.Edges.Count} busiest of {graph.Edges.Count} edges";
        var busiestDot = DotWriter.Write(busiest, new DotWriterOptions { Caption = note, Clusters = false, Splines = false });
        var busiestSvg = await RunAsync(_options.DotPath, "dot", busiestDot, _options.FallbackTimeout, clock, cancellationToken);
        if (busiestSvg is not null)
        {
            return new RenderedSvg(busiestSvg, GraphLayout.BusiestEdges, note);
        }
        note = $"graph too dense to draw: {graph.Nodes.Count} nodes, {graph.Edges.Count} edges; use focus or minCalls";
        return new RenderedSvg(Placeholder(note), GraphLayout.Placeholder, note);
    }

    /// <summary>Renders DOT text as it is; on timeout, sfdp with a note added, then a text placeholder.</summary>
    public async Task<RenderedSvg> RenderSvgAsync(string dot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dot);
        var clock = Stopwatch.StartNew();
        using var slot = await _gate.EnterAsync(MaxWait, cancellationToken);
        var svg = await RunAsync(_options.DotPath, "dot", dot, _options.DotTimeout, clock, cancellationToken);
        if (svg is not null)
        {
            return new RenderedSvg(svg, GraphLayout.Dot, null);
        }
        var note = $"dot did not finish within {Seconds(_options.DotTimeout)}: force-directed (sfdp) layout used";
        svg = await RunAsync(_options.SfdpPath, "sfdp", WithCaption(dot, note), _options.FallbackTimeout, clock, cancellationToken);
        if (svg is not null)
        {
            return new RenderedSvg(svg, GraphLayout.Sfdp, note);
        }
        note = "graph too dense to draw in time";
        return new RenderedSvg(Placeholder(note), GraphLayout.Placeholder, note);
    }

    private TimeSpan MaxWait => _options.MaxLayoutWait < _options.TotalBudget ? _options.MaxLayoutWait : _options.TotalBudget;

    private async Task<string?> RunAsync(string path, string engine, string dot, TimeSpan timeout, Stopwatch clock, CancellationToken cancellationToken)
    {
        var left = _options.TotalBudget - clock.Elapsed;
        if (left <= TimeSpan.Zero)
        {
            return null;
        }
        var limit = timeout < left ? timeout : left;
        if (engine != "dot" || _options.DotNsLimit is not { } nsLimit)
        {
            return await GraphvizProcess.RunAsync(path, engine, engine == "sfdp" ? SfdpAttributes : [], dot, limit, cancellationToken);
        }
        var started = clock.Elapsed;
        try
        {
            return await GraphvizProcess.RunAsync(path, engine, ["nslimit=" + nsLimit.ToString(CultureInfo.InvariantCulture)], dot, limit, cancellationToken);
        }
        catch (GraphvizException e) when (e.Crashed)
        {
            // Graphviz 2.43 can die in its layout after a capped placement (SIGSEGV on the
            // 280-service ring at nslimit 10); uncapped, dot draws the graph as it always did.
            var rest = limit - (clock.Elapsed - started);
            return rest <= TimeSpan.Zero ? null : await GraphvizProcess.RunAsync(path, engine, [], dot, rest, cancellationToken);
        }
    }

    // dot multiplies nslimit by the node count into an int: a huge limit wraps round and places nothing.
    private static GraphvizOptions Validated(GraphvizOptions options) =>
        options.DotNsLimit is <= 0 or > GraphvizOptions.MaxDotNsLimit
            ? throw new ArgumentOutOfRangeException(nameof(options), options.DotNsLimit,
                $"GraphvizOptions.DotNsLimit must be more than 0 and at most {GraphvizOptions.MaxDotNsLimit} iterations per node, or null for no limit.")
            : options.MaxConcurrentLayouts < 1 || options.MaxQueuedLayouts < 0
            ? throw new ArgumentOutOfRangeException(nameof(options),
                "GraphvizOptions.MaxConcurrentLayouts must be at least 1 and MaxQueuedLayouts not negative.")
            : options;

    // A graph-level label statement right after the opening brace; DotWriter's quoting rules apply.
    private static string WithCaption(string dot, string note)
    {
        var brace = dot.IndexOf('{', StringComparison.Ordinal);
        if (brace < 0)
        {
            return dot;
        }
        var quoted = "\"" + note.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
        return dot[..(brace + 1)] + "\n  graph [labelloc=b, labeljust=l, label=" + quoted + "];" + dot[(brace + 1)..];
    }

    private static string Placeholder(string note) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"60\" viewBox=\"0 0 760 60\">\n"
        + "  <text x=\"12\" y=\"34\" font-family=\"Helvetica,sans-serif\" font-size=\"14\">" + SecurityElement.Escape(note) + "</text>\n"
        + "</svg>\n";

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";
}
