using System.CommandLine;
using DepMap.Core.Conformance;
using DepMap.Core.Snapshots;
using DepMap.Ingest;
using DepMap.ModelImport;

namespace DepMap.Cli;

/// <summary>
/// <c>depmap conform MODEL --against FILE|URL</c>: the declared architecture judged by the observed
/// one. MODEL is a Backstage catalog, a Structurizr workspace (JSON or DSL) or a CALM document,
/// as a file or URL; the observed side is a snapshot or graph JSON file, a trace file (linked here,
/// with exemplar traces), a DepMap server URL (its current graph) or a snapshot URL. Exits 1 when a
/// finding of a kind named by <c>--fail-on</c> is found, 0 when none is, 2 on a usage or input
/// error, as <c>depmap diff</c> does.
/// </summary>
internal static class ConformCommand
{
    public const int Conforms = 0;
    public const int Findings = 1;
    public const int InputError = 2;

    public static Command Create()
    {
        var model = new Argument<string?>("model")
        {
            Description = "The declared model: a Backstage catalog (YAML), Structurizr workspace (JSON or DSL) or CALM (JSON) file, or a URL",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var against = DiffCommand.Text("--against", "The observed graph: a snapshot or graph JSON file, a trace file, a DepMap server URL or a snapshot URL");
        var rules = DiffCommand.Text("--rules", "A rules file (YAML or JSON, docs/conformance.md)");
        var mapping = DiffCommand.Text("--mapping", "A mapping file: entity ref or name to observed service name(s)");
        var failOn = DiffCommand.Text("--fail-on", $"Kinds of finding that exit 1, comma-separated: {ConformFailOnList.Known} (default {ConformFailOnList.Default})");
        var format = DiffCommand.Text("--format", "text (default) or json (docs/conformance.md)");
        var lookback = DiffCommand.Text("--lookback", "For a server URL: the window of its current graph, e.g. 1h, 7d (default 1d)");
        var command = new Command("conform", "Check a declared architecture (Backstage, Structurizr, CALM) and rules against the observed graph")
        {
            model, against, rules, mapping, failOn, format, lookback,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            try
            {
                if (parse.UnmatchedTokens.Count > 0)
                {
                    throw new InputException($"unexpected argument '{parse.UnmatchedTokens[0]}'; see depmap conform --help");
                }
                var modelPath = parse.GetValue(model) ?? throw new InputException("MODEL is required: a Backstage, Structurizr or CALM file");
                var againstPath = parse.GetValue(against) ?? throw new InputException("--against is required: a snapshot, graph JSON or trace file, or a DepMap URL");
                var kinds = ConformFailOnList.Parse(parse.GetValue(failOn) ?? ConformFailOnList.Default);
                var json = (parse.GetValue(format) ?? "text") switch
                {
                    "text" => false,
                    "json" => true,
                    var other => throw new InputException($"--format: unknown format '{other}'; use text or json"),
                };
                var modelBytes = await ReadAsync("MODEL", modelPath, cancellationToken);
                var declared = Parse(() => ModelReader.Read(modelBytes, modelPath));
                var ruleSet = ConformanceRules.None;
                if (parse.GetValue(rules) is { } rulesPath)
                {
                    var rulesBytes = await ReadAsync("--rules", rulesPath, cancellationToken);
                    ruleSet = Parse(() => RulesReader.Read(rulesBytes, rulesPath));
                }
                var services = ServiceMapping.None;
                if (parse.GetValue(mapping) is { } mappingPath)
                {
                    var mappingBytes = await ReadAsync("--mapping", mappingPath, cancellationToken);
                    services = Parse(() => MappingReader.Read(mappingBytes, mappingPath));
                }
                var observed = await ObservedAsync(againstPath, parse.GetValue(lookback) ?? "1d", stderr, cancellationToken);

                var report = ConformanceCheck.Run(declared, observed, ruleSet, services);
                await stdout.WriteAsync(json ? ConformanceJsonWriter.Write(report, modelPath) : ConformanceTextWriter.Write(report, modelPath));
                await stdout.FlushAsync(cancellationToken);
                return Found(report, kinds) ? Findings : Conforms;
            }
            catch (InputException e)
            {
                await stderr.WriteLineAsync("depmap conform: " + e.Message);
                return InputError;
            }
        });
        return command;
    }

    internal static bool Found(ConformanceReport report, ConformFailOn kinds) =>
        (kinds.HasFlag(ConformFailOn.UndeclaredEdge) && report.UndeclaredEdges.Count > 0)
        || (kinds.HasFlag(ConformFailOn.UnusedEdge) && report.UnusedEdges.Count > 0)
        || (kinds.HasFlag(ConformFailOn.UnmappedEntity) && report.UnmappedEntities.Count > 0)
        || (kinds.HasFlag(ConformFailOn.UnknownService) && report.UnknownServices.Count > 0)
        || (kinds.HasFlag(ConformFailOn.Violation) && report.Violations.Count > 0);

    // A model, rules or mapping file that cannot be used is an input error: exit 2 with the reader's message.
    private static T Parse<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (ModelFormatException e)
        {
            throw new InputException(e.Message, e);
        }
    }

    private static async Task<byte[]> ReadAsync(string option, string source, CancellationToken cancellationToken)
    {
        if (SnapshotSource.IsUrl(source))
        {
            var url = new Uri(source);
            return await SnapshotSource.GetAsync(option, url, cancellationToken) ?? throw new InputException($"{option} {url}: the server answered 404 Not Found");
        }
        try
        {
            return await File.ReadAllBytesAsync(source, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InputException($"{option} {source}: no such file", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InputException($"{option} {source}: cannot read: {e.Message}", e);
        }
    }

    /// <summary>A snapshot or graph JSON (file or URL), else a trace file linked here, whose window runs from its first call to its last.</summary>
    private static async Task<ObservedGraph> ObservedAsync(string source, string lookback, TextWriter error, CancellationToken cancellationToken)
    {
        byte[] bytes;
        string from;
        if (SnapshotSource.IsUrl(source))
        {
            (bytes, from) = await SnapshotSource.FetchAsync("--against", new Uri(source), lookback, cancellationToken);
        }
        else
        {
            (bytes, from) = (await ReadAsync("--against", source, cancellationToken), source);
        }
        Snapshot snapshot;
        try
        {
            snapshot = SnapshotJson.Read(bytes);
        }
        catch (SnapshotFormatException e)
        {
            if (SnapshotSource.IsUrl(source) || SpanDecoders.Detect(bytes) is null)
            {
                throw new InputException($"--against {from}: not a DepMap snapshot, graph JSON or trace file: {e.Message}", e);
            }
            var loaded = TraceFiles.Load([source], error);
            if (loaded.AnyFailed)
            {
                throw new InputException($"--against {source}: the trace file cannot be decoded (see above)");
            }
            var graph = Core.Graph.ServiceGraph.From(TraceAnalysis.Of(loaded.Spans).Graph);
            var first = graph.Edges.Select(e => e.Statistics.FirstSeen).Min();
            var last = graph.Edges.Select(e => e.Statistics.LastSeen).Max();
            var window = first is { } f && last is { } l
                ? new ObservedWindow(source, f / 1_000_000, l / 1_000_000, TimeSpan.FromTicks(Math.Max(1, (l - f) / 100)))
                : new ObservedWindow(source, null, null, null);
            return ObservedGraph.From(graph, window);
        }
        var length = new ObservedWindow(from, null, null, snapshot.Window);
        return snapshot.Graph is { } stored ? ObservedGraph.From(stored, length) : ObservedGraph.From(snapshot.Figures, length);
    }
}

/// <summary>The kinds of finding <c>depmap conform --fail-on</c> can fail a build on.</summary>
[Flags]
internal enum ConformFailOn
{
    None = 0,
    UndeclaredEdge = 1,
    UnusedEdge = 2,
    UnmappedEntity = 4,
    UnknownService = 8,
    Violation = 16,
}

internal static class ConformFailOnList
{
    public const string Default = "undeclared-edge,unknown-service,violation";

    private static readonly Dictionary<string, ConformFailOn> Words = new(StringComparer.Ordinal)
    {
        ["undeclared-edge"] = ConformFailOn.UndeclaredEdge,
        ["unused-edge"] = ConformFailOn.UnusedEdge,
        ["unmapped-entity"] = ConformFailOn.UnmappedEntity,
        ["unknown-service"] = ConformFailOn.UnknownService,
        ["violation"] = ConformFailOn.Violation,
        ["any"] = ConformFailOn.UndeclaredEdge | ConformFailOn.UnusedEdge | ConformFailOn.UnmappedEntity | ConformFailOn.UnknownService | ConformFailOn.Violation,
        ["none"] = ConformFailOn.None,
    };

    public static string Known => string.Join(", ", Words.Keys);

    public static ConformFailOn Parse(string text)
    {
        var result = ConformFailOn.None;
        foreach (var word in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            result |= Words.TryGetValue(word, out var kind)
                ? kind
                : throw new InputException($"--fail-on: unknown kind '{word}'; use {Known}");
        }
        return result;
    }
}
