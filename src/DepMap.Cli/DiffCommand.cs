using System.CommandLine;
using System.Globalization;
using DepMap.Core.Diff;

namespace DepMap.Cli;

/// <summary>
/// <c>depmap diff --base FILE --head FILE|URL</c>: the drift check. Prints what changed and exits
/// 1 when a change of a kind named by <c>--fail-on</c> is found, 0 when none is, 2 when the
/// command line or an input cannot be used. Every option is read as text and checked here, so a
/// usage mistake exits 2 with a message naming it, never System.CommandLine's 1 that a CI job
/// would read as drift.
/// </summary>
internal static class DiffCommand
{
    public const int NoChange = 0;
    public const int Changed = 1;
    public const int InputError = 2;

    public static Command Create()
    {
        var @base = Text("--base", "The baseline: a snapshot or graph JSON file, or a DepMap URL");
        var head = Text("--head", "What to check: a snapshot or graph JSON file, a DepMap server URL (its current graph) or a snapshot URL");
        var failOn = Text("--fail-on", $"Kinds of change that exit 1, comma-separated: {FailOnList.Known} (default {FailOnList.Default})");
        var format = Text("--format", "text (default) or json (docs/diff-json.md)");
        var lookback = Text("--lookback", "For a server URL: the window of its current graph, e.g. 15m, 1h, 7d (default 1h)");
        var errorRise = Text("--error-rate-rise", "Regressed when an edge's error rate rises by this many percentage points (default 5)");
        var p99Rise = Text("--p99-rise", "Regressed when an edge's p99 rises by this many percent (default 50)");
        var command = new Command("diff", "Compare two architecture snapshots: nodes and edges added and removed, regressed edges")
        {
            @base, head, failOn, format, lookback, errorRise, p99Rise,
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
                    throw new InputException($"unexpected argument '{parse.UnmatchedTokens[0]}'; see depmap diff --help");
                }
                var basePath = parse.GetValue(@base) ?? throw new InputException("--base is required: the baseline snapshot file");
                var headPath = parse.GetValue(head) ?? throw new InputException("--head is required: a snapshot file or a DepMap URL");
                var kinds = FailOnList.Parse(parse.GetValue(failOn) ?? FailOnList.Default);
                var json = (parse.GetValue(format) ?? "text") switch
                {
                    "text" => false,
                    "json" => true,
                    var other => throw new InputException($"--format: unknown format '{other}'; use text or json"),
                };
                var options = new DiffOptions
                {
                    ErrorRateRisePoints = Number(parse.GetValue(errorRise), "--error-rate-rise", DiffOptions.Default.ErrorRateRisePoints),
                    P99RiseRatio = Number(parse.GetValue(p99Rise), "--p99-rise", DiffOptions.Default.P99RiseRatio * 100) / 100,
                };
                var window = parse.GetValue(lookback) ?? "1h";
                var before = await SnapshotSource.LoadAsync("--base", basePath, window, cancellationToken);
                var after = await SnapshotSource.LoadAsync("--head", headPath, window, cancellationToken);

                var diff = GraphDiff.Compare(before.Figures, after.Figures, options);
                var (baseSource, headSource) = (DiffSource.Of(before, basePath), DiffSource.Of(after, headPath));
                await stdout.WriteAsync(json ? DiffJsonWriter.Write(diff, baseSource, headSource) : DiffTextWriter.Write(diff, baseSource, headSource));
                await stdout.FlushAsync(cancellationToken);
                return Found(diff, kinds) ? Changed : NoChange;
            }
            catch (InputException e)
            {
                await stderr.WriteLineAsync("depmap diff: " + e.Message);
                return InputError;
            }
        });
        return command;
    }

    /// <summary>True when the diff holds a change of one of <paramref name="kinds"/>.</summary>
    internal static bool Found(GraphDiff diff, FailOn kinds) =>
        (kinds.HasFlag(FailOn.AddedEdge) && diff.AddedEdges.Count > 0)
        || (kinds.HasFlag(FailOn.RemovedEdge) && diff.RemovedEdges.Count > 0)
        || (kinds.HasFlag(FailOn.Regression) && diff.Regressed.Count > 0)
        || (kinds.HasFlag(FailOn.AddedNode) && diff.AddedNodes.Count > 0)
        || (kinds.HasFlag(FailOn.RemovedNode) && diff.RemovedNodes.Count > 0);

    // Optional values (arity 0..1) so "--base" without a file is our message and exit 2, not a parse error.
    internal static Option<string?> Text(string name, string description) =>
        new(name) { Description = description, Arity = ArgumentArity.ZeroOrOne };

    private static double Number(string? text, string option, double fallback) =>
        text is null ? fallback
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0 && double.IsFinite(value) ? value
        : throw new InputException($"{option}: '{text}' is not a number of at least 0");
}
