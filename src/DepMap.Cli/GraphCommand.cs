using System.CommandLine;
using DepMap.Core.Graph;
using DepMap.Core.Linking;
using DepMap.Core.Reliability;
using DepMap.Core.Writers;
using DepMap.Rendering;

namespace DepMap.Cli;

/// <summary><c>depmap graph FILE...</c>: the service dependency graph of some trace files.</summary>
internal static class GraphCommand
{
    /// <summary>What the command line asked for, parsed.</summary>
    private sealed record Request(
        IReadOnlyList<string> Files, GraphFormat Format, string? Output, string? Focus, int Depth,
        FocusDirection Direction, long MinCalls, bool KeepGoing, string DotPath);

    // Options are created per command, not shared statically: System.CommandLine records each
    // symbol's parents, and tests build many roots in parallel.
    public static Command Create()
    {
        var files = TraceFiles.FilesArgument();
        var keepGoing = TraceFiles.KeepGoingOption();
        var format = new Option<string?>("--format", "-f")
        {
            HelpName = "svg|dot|json|mermaid|zipkin",
            Description = "dot, svg (drawn by Graphviz dot), json, mermaid, or zipkin (Zipkin's dependency links). "
                + "Default: from the -o extension (.svg, .json, .mmd), else dot",
        };
        format.AcceptOnlyFromAmong("svg", "dot", "json", "mermaid", "zipkin");
        var output = new Option<string?>("--output", "-o") { Description = "The file to write (default: stdout)" };
        var focus = new Option<string?>("--focus") { Description = "Draw only this service and its neighbours within --depth calls" };
        var depth = new Option<int>("--depth") { Description = "How many calls away from --focus to draw", DefaultValueFactory = _ => 1 };
        depth.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--depth must be 0 or more");
            }
        });
        var direction = new Option<string>("--direction")
        {
            HelpName = "upstream|downstream|both",
            Description = "Walk from --focus to its callers (upstream), its callees (downstream) or both",
            DefaultValueFactory = _ => "both",
        };
        direction.AcceptOnlyFromAmong("upstream", "downstream", "both");
        var minCalls = new Option<long>("--min-calls") { Description = "Hide edges with fewer calls", DefaultValueFactory = _ => 0 };
        var dotPath = new Option<string>("--dot-path")
        {
            Description = "Graphviz dot, for --format svg (sfdp is looked for beside it)",
            DefaultValueFactory = _ => "dot",
        };

        var command = new Command("graph", "Link the spans of trace files into a service dependency graph and write it")
        {
            files, format, output, focus, depth, direction, minCalls, keepGoing, dotPath,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            new Request(
                parse.GetRequiredValue(files),
                GraphFormats.Parse(parse.GetValue(format)) ?? GraphFormats.FromOutputPath(parse.GetValue(output)),
                parse.GetValue(output),
                parse.GetValue(focus),
                parse.GetValue(depth),
                parse.GetRequiredValue(direction) switch
                {
                    "upstream" => FocusDirection.Upstream,
                    "downstream" => FocusDirection.Downstream,
                    _ => FocusDirection.Both,
                },
                parse.GetValue(minCalls),
                parse.GetValue(keepGoing),
                parse.GetRequiredValue(dotPath)),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(Request request, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (request.Format == GraphFormat.Zipkin && request.Focus is not null)
        {
            stderr.WriteLine("--focus draws DepMap's graph; it does not apply to --format zipkin");
            return ExitCodes.Usage;
        }
        var loaded = TraceFiles.Load(request.Files, stderr);
        if (loaded.AnyFailed && !request.KeepGoing)
        {
            stderr.WriteLine("no graph written: fix or leave out the files above, or pass --keep-going to use the others");
            return ExitCodes.BadInput;
        }

        string text;
        if (request.Format == GraphFormat.Zipkin)
        {
            text = ZipkinLinks(loaded, request.MinCalls);
        }
        else
        {
            var graph = TraceAnalysis.Of(loaded.Spans).ServiceGraph(new RankingOptions());
            if (request.Focus is { } focus)
            {
                if (graph.FindNode(focus) is null)
                {
                    stderr.WriteLine($"--focus: no service named '{focus}' in the graph; it has: {string.Join(", ", graph.Nodes.Select(n => n.Name))}");
                    return ExitCodes.Usage;
                }
                graph = graph.Focus(focus, request.Depth, request.Direction);
            }
            if (request.MinCalls > 0)
            {
                graph = graph.HideEdgesUnder(request.MinCalls);
            }
            if (await Write(graph, request.Format, request.DotPath, stderr, cancellationToken) is not { } written)
            {
                return ExitCodes.Graphviz;
            }
            text = written;
        }

        if (!OutputFile.TryWrite(request.Output, text, stdout, stderr))
        {
            return ExitCodes.CannotWrite;
        }
        return loaded.AnyFailed ? ExitCodes.BadInput : ExitCodes.Ok;
    }

    // Zipkin's view, not DepMap's: the links Zipkin's own /api/v2/dependencies would give.
    private static string ZipkinLinks(TraceFiles.Loaded loaded, long minCalls)
    {
        var calls = TraceLinker.LinkAll(loaded.Spans, LinkerOptions.Zipkin).SelectMany(trace => trace.Calls);
        return ZipkinLinksWriter.Write(ZipkinDependencies.Aggregate(calls).Where(link => link.CallCount >= minCalls)) + "\n";
    }

    private static async Task<string?> Write(ServiceGraph graph, GraphFormat format, string dotPath, TextWriter stderr, CancellationToken cancellationToken) =>
        format switch
        {
            GraphFormat.Json => JsonGraphWriter.Write(graph) + "\n",
            GraphFormat.Mermaid => MermaidWriter.Write(graph),
            GraphFormat.Svg => await Svg(graph, dotPath, stderr, cancellationToken),
            _ => DotWriter.Write(graph),
        };

    private static async Task<string?> Svg(ServiceGraph graph, string dotPath, TextWriter stderr, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(dotPath);
        var renderer = new GraphvizRenderer(new GraphvizOptions
        {
            DotPath = dotPath,
            SfdpPath = string.IsNullOrEmpty(folder) ? "sfdp" : Path.Combine(folder, "sfdp"),
        });
        try
        {
            var rendered = await renderer.RenderSvgAsync(graph, cancellationToken);
            if (rendered.Note is { } note)
            {
                stderr.WriteLine($"note: {note}");
            }
            return rendered.Svg;
        }
        catch (Exception e) when (e is GraphvizNotFoundException or GraphvizException)
        {
            stderr.WriteLine($"cannot draw SVG: {e.Message}");
            stderr.WriteLine("--format dot writes the graph without Graphviz.");
            return null;
        }
    }
}
