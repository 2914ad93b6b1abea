using System.CommandLine;
using DepMap.Core.Snapshots;

namespace DepMap.Cli;

/// <summary>
/// <c>depmap snapshot --server URL -o FILE</c>: saves the server's current graph as a baseline in
/// the snapshot format (docs/snapshots.md), ready to commit and to give <c>depmap diff --base</c>.
/// Exits 0, or 2 with a message naming the problem.
/// </summary>
internal static class SnapshotCommand
{
    public static Command Create()
    {
        var server = DiffCommand.Text("--server", "The DepMap server, e.g. http://127.0.0.1:5080");
        var lookback = DiffCommand.Text("--lookback", "The window to take, e.g. 15m, 1h, 7d (default 1h)");
        var label = DiffCommand.Text("--label", "A label kept in the snapshot (default: none)");
        var output = DiffCommand.Text("--output", "The file to write (default: stdout)");
        output.Aliases.Add("-o");
        var command = new Command("snapshot", "Save a DepMap server's current graph as a snapshot file") { server, lookback, label, output };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stderr = parse.InvocationConfiguration.Error;
            try
            {
                if (parse.UnmatchedTokens.Count > 0)
                {
                    throw new InputException($"unexpected argument '{parse.UnmatchedTokens[0]}'; see depmap snapshot --help");
                }
                var url = parse.GetValue(server) ?? throw new InputException("--server is required: the DepMap server's URL");
                if (!SnapshotSource.IsUrl(url))
                {
                    throw new InputException($"--server: '{url}' is not an http or https URL");
                }
                var root = new Uri(new Uri(url), "/");
                var (bytes, from) = await SnapshotSource.FetchAsync("--server", root, parse.GetValue(lookback) ?? "1h", cancellationToken);
                Snapshot snapshot;
                try
                {
                    snapshot = SnapshotJson.Read(bytes);
                }
                catch (SnapshotFormatException e)
                {
                    throw new InputException($"--server {from}: not a DepMap snapshot: {e.Message}", e);
                }
                if (snapshot.Graph is null)
                {
                    throw new InputException($"--server {from}: the server has no /graph/snapshot.json, and its graph JSON has no statistics to keep");
                }
                var text = SnapshotJson.Write(Snapshot.Of(snapshot.Graph, snapshot.Window, parse.GetValue(label) ?? snapshot.Label));
                return Save(parse.GetValue(output), text, parse.InvocationConfiguration.Output, stderr) ? 0 : DiffCommand.InputError;
            }
            catch (InputException e)
            {
                await stderr.WriteLineAsync("depmap snapshot: " + e.Message);
                return DiffCommand.InputError;
            }
        });
        return command;
    }

    private static bool Save(string? path, string text, TextWriter stdout, TextWriter stderr)
    {
        if (path is null or "-")
        {
            stdout.Write(text);
            stdout.Flush();
            return true;
        }
        try
        {
            File.WriteAllText(path, text, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            stderr.WriteLine($"depmap snapshot: -o {path}: cannot write: {e.Message}");
            return false;
        }
    }
}
