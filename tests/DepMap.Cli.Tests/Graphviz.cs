using System.Diagnostics;

namespace DepMap.Cli.Tests;

/// <summary>Runs the real Graphviz <c>dot</c> on some DOT text.</summary>
internal static class Graphviz
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> DotAsync(string dot, string format = "svg")
    {
        var start = new ProcessStartInfo("dot", "-T" + format)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(dot);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }
}
