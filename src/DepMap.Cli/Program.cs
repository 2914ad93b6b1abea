using System.CommandLine;

namespace DepMap.Cli;

/// <summary>
/// The <c>depmap</c> command line. Each command lives in its own file and is registered here by
/// one line, so the root reads as the list of what the tool does.
/// </summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => CreateRoot().Parse(args).InvokeAsync();

    private const string Description =
        "DepMap: service dependency graphs, reliability rankings, snapshots and drift checks.\n"
        + "graph, rank: exit 0 done; 1 bad command line; 2 Graphviz dot missing or failed; "
        + "3 an input file could not be read or decoded (with --keep-going the output is still written); 4 the output could not be written.\n"
        + "diff, snapshot: exit 0 no chosen change (or saved); 1 a chosen change was found; 2 a usage or input error.\n"
        + "demo: exit 0 when stopped or its --duration is over; 1 bad command line.\n"
        + "conform: exit 0 no chosen finding; 1 a finding of a kind named by --fail-on; 2 a usage or input error (a bad model, rules or mapping file).";

    internal static RootCommand CreateRoot() => new(Description)
    {
        GraphCommand.Create(),
        RankCommand.Create(),
        DiffCommand.Create(),
        SnapshotCommand.Create(),
        DemoCommand.Create(),
        ConformCommand.Create(),
    };
}
