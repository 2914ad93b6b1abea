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
    private static readonly Option<string?> Format = new("--format", "-f")
    {
        HelpName = "svg|dot|json|mermaid|zipkin",
        Description = "dot, svg (drawn by Graphviz dot), json, mermaid, or zipkin (Zipkin's dependency links). "
            + "Default: from the -o extension (.svg, .json, .mmd), else dot",
    };

    private static readonly Option<string?> Output = new("--output", "-o")
    {
        Description = "The file to write (default: stdout)",
    };

    private static readonly Option<string?> Focus = new("--focus")
    {
        Description = "Draw only this service and its neighbours within --depth calls",
    };

    private static readonly Option<int> Depth = new("--depth")
    {
        Description = "How many calls away from --focus to draw",
        DefaultValueFactory = _ => 1,
    };

    private static readonly Option<string> Direction = new("--direction")
    {
        HelpName = "upstream|downstream|both",
        Description = "Walk from --focus to its callers (upstream), its callees (downstream) or both",
        DefaultValueFactory = _ => "both",
    };

    private static readonly Option<long> MinCalls = new("--min-calls")
    {
        Description = "Hide edges with fewer calls",
        DefaultValueFactory = _ => 0,
    };

    private static readonly Option<string> DotPath = new("--dot-path")
    {
        Description = "Graphviz dot, for --format svg (sfdp is looked for beside it)",
        DefaultValueFactory = _ => "dot",
    };

    public static Command Create()
    {
        var command = new Command("graph", "Link the spans of trace files into a service dependency graph and write it")
        {
            TraceFiles.Files, Format, Output, Focus, Depth, Direction, MinCalls, TraceFiles.KeepGoing, DotPath,
        };
        Format.AcceptOnlyFromAmong("svg", "dot", "json", "mermaid", "zipkin");
        Direction.AcceptOnlyFromAmong("upstream", "downstream", "both");
        Depth.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--depth must be 0 or more");
            }
        });
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var stdout = parse.InvocationConfiguration.Output;
        var stderr = parse.InvocationConfiguration.Error;
        var output = parse.GetValue(Output);
        var format = GraphFormats.Parse(parse.GetValue(Format)) ?? GraphFormats.FromOutputPath(output);
        if (format == GraphFormat.Zipkin && parse.GetValue(Focus) is not null)
        {
            stderr.WriteLine("--focus draws DepMap's graph; it does not apply to --format zipkin");
            return ExitCodes.Usage;
        }

        var loaded = TraceFiles.Load(parse.GetRequiredValue(TraceFiles.Files), stderr);
        if (loaded.AnyFailed && !parse.GetValue(TraceFiles.KeepGoing))
        {
            stderr.WriteLine("no graph written: fix or leave out the files above, or pass --keep-going to use the others");
            return ExitCodes.BadInput;
        }

        string text;
        if (format == GraphFormat.Zipkin)
        {
            text = ZipkinLinks(loaded, parse.GetValue(MinCalls));
        }
        else
        {
            var graph = TraceAnalysis.Of(loaded.Spans).ServiceGraph(new RankingOptions());
            if (parse.GetValue(Focus) is { } focus)
            {
                if (graph.FindNode(focus) is null)
                {
                    stderr.WriteLine($"--focus: no service named '{focus}' in the graph; it has: {string.Join(", ", graph.Nodes.Select(n => n.Name))}");
                    return ExitCodes.Usage;
                }
                graph = graph.Focus(focus, parse.GetValue(Depth), parse.GetRequiredValue(Direction) switch
                {
                    "upstream" => FocusDirection.Upstream,
                    "downstream" => FocusDirection.Downstream,
                    _ => FocusDirection.Both,
                });
            }
            if (parse.GetValue(MinCalls) > 0)
            {
                graph = graph.HideEdgesUnder(parse.GetValue(MinCalls));
            }
            if (await Write(graph, format, parse.GetRequiredValue(DotPath), stderr, cancellationToken) is not { } written)
            {
                return ExitCodes.Graphviz;
            }
            text = written;
        }

        if (!OutputFile.TryWrite(output, text, stdout, stderr))
        {
            return ExitCodes.CannotWrite;
        }
        return loaded.AnyFailed ? ExitCodes.BadInput : ExitCodes.Ok;
    }

    private static string ZipkinLinks(TraceFiles.Loaded loaded, long minCalls)
    {
        var calls = TraceLinker.LinkAll(loaded.Spans, LinkerOptions.Zipkin).SelectMany(trace => trace.Calls);
        return ZipkinLinksWriter.Write(ZipkinDependencies.Aggregate(calls).Where(link => link.CallCount >= minCalls)) + "\n";
    }

    private static async Task<string?> Write(ServiceGraph graph, GraphFormat format, string dotPath, TextWriter stderr, CancellationToken cancellationToken)
    {
        switch (format)
        {
            case GraphFormat.Json:
                return JsonGraphWriter.Write(graph) + "\n";
            case GraphFormat.Mermaid:
                return MermaidWriter.Write(graph);
            case GraphFormat.Svg:
                return await Svg(graph, dotPath, stderr, cancellationToken);
            default:
                return DotWriter.Write(graph);
        }
    }

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
