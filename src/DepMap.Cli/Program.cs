using System.CommandLine;

namespace DepMap.Cli;

/// <summary>
/// The <c>depmap</c> command line. Each command lives in its own file and is registered here by
/// one line, so the root reads as the list of what the tool does.
/// </summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => CreateRoot().Parse(args).InvokeAsync();

    internal static RootCommand CreateRoot() => new("DepMap: service dependency graphs, snapshots and drift checks")
    {
        DiffCommand.Create(),
        SnapshotCommand.Create(),
    };
}
