using System.CommandLine;
using DepMap.Core.Reliability;

namespace DepMap.Cli;

/// <summary>
/// <c>depmap rank FILE...</c>: the reliability ranking of the services in some trace files, least
/// reliable first, computed as the server's <c>/services/ranking</c> does (docs/ranking.md).
/// </summary>
internal static class RankCommand
{
    private static readonly Option<string> Format = new("--format", "-f")
    {
        HelpName = "table|json|csv",
        Description = "table (aligned text), json (an array, least reliable first) or csv",
        DefaultValueFactory = _ => "table",
    };

    private static readonly Option<string?> Output = new("--output", "-o")
    {
        Description = "The file to write (default: stdout)",
    };

    public static Command Create()
    {
        var command = new Command("rank", "Rank the services of trace files by reliability, least reliable first, with the reasons")
        {
            TraceFiles.Files, Format, Output, TraceFiles.KeepGoing,
        };
        Format.AcceptOnlyFromAmong("table", "json", "csv");
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult parse)
    {
        var stderr = parse.InvocationConfiguration.Error;
        var loaded = TraceFiles.Load(parse.GetRequiredValue(TraceFiles.Files), stderr);
        if (loaded.AnyFailed && !parse.GetValue(TraceFiles.KeepGoing))
        {
            stderr.WriteLine("no ranking written: fix or leave out the files above, or pass --keep-going to use the others");
            return ExitCodes.BadInput;
        }

        var analysis = TraceAnalysis.Of(loaded.Spans);
        var ranking = ReliabilityRanking.Rank(analysis.Reliability, analysis.P99ServerLatencyNano(), new RankingOptions());
        var text = parse.GetValue(Format) switch
        {
            "json" => RankingText.Json(ranking),
            "csv" => RankingText.Csv(ranking),
            _ => RankingText.Table(ranking),
        };
        if (!OutputFile.TryWrite(parse.GetValue(Output), text, parse.InvocationConfiguration.Output, stderr))
        {
            return ExitCodes.CannotWrite;
        }
        return loaded.AnyFailed ? ExitCodes.BadInput : ExitCodes.Ok;
    }
}
