using System.CommandLine;
using DepMap.Core.Reliability;

namespace DepMap.Cli;

/// <summary>
/// <c>depmap rank FILE...</c>: the reliability ranking of the services in some trace files, least
/// reliable first, with the formula and defaults of docs/ranking.md (<see cref="RankingOptions"/>).
/// </summary>
internal static class RankCommand
{
    public static Command Create()
    {
        var files = TraceFiles.FilesArgument();
        var keepGoing = TraceFiles.KeepGoingOption();
        var format = new Option<string>("--format", "-f")
        {
            HelpName = "table|json|csv",
            Description = "table (aligned text), json (an array, least reliable first) or csv",
            DefaultValueFactory = _ => "table",
        };
        format.AcceptOnlyFromAmong("table", "json", "csv");
        var output = new Option<string?>("--output", "-o") { Description = "The file to write (default: stdout)" };

        var command = new Command("rank", "Rank the services of trace files by reliability, least reliable first, with the reasons")
        {
            files, format, output, keepGoing,
        };
        command.SetAction(parse => Run(
            parse.GetRequiredValue(files), parse.GetRequiredValue(format), parse.GetValue(output), parse.GetValue(keepGoing),
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(IReadOnlyList<string> files, string format, string? output, bool keepGoing, TextWriter stdout, TextWriter stderr)
    {
        var loaded = TraceFiles.Load(files, stderr);
        if (loaded.AnyFailed && !keepGoing)
        {
            stderr.WriteLine("no ranking written: fix or leave out the files above, or pass --keep-going to use the others");
            return ExitCodes.BadInput;
        }

        var analysis = TraceAnalysis.Of(loaded.Spans);
        var ranking = ReliabilityRanking.Rank(analysis.Reliability, analysis.P99ServerLatencyNano(), new RankingOptions());
        var text = format switch
        {
            "json" => RankingText.Json(ranking),
            "csv" => RankingText.Csv(ranking),
            _ => RankingText.Table(ranking),
        };
        if (!OutputFile.TryWrite(output, text, stdout, stderr))
        {
            return ExitCodes.CannotWrite;
        }
        return loaded.AnyFailed ? ExitCodes.BadInput : ExitCodes.Ok;
    }
}
