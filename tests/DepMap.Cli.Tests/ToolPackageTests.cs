using System.Diagnostics;
using System.Reflection;
using DepMap.Tests.Shared;

namespace DepMap.Cli.Tests;

/// <summary>
/// The CLI as a CI job gets it: <c>dotnet pack</c> gives a .NET tool package, <c>dotnet tool
/// install --global</c> installs it from that folder (into a home of the test's own), and the
/// installed <c>depmap</c> runs: its help, and a
/// <c>depmap diff</c> of two snapshot files, the gate a CI job puts it to. Each step has a
/// time bound (generous: the machine may be busy), and a step past it fails the test.
/// </summary>
public class ToolPackageTests
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task PackedTool_InstallsGloballyPrintsHelpAndDiffsSnapshots_WhenInstalledFromThePackageFolder()
    {
        using var temp = new TempFolder();
        var project = Path.Combine(TestMachine.RepositoryRoot(), "src", "DepMap.Cli", "DepMap.Cli.csproj");
        var configuration = typeof(ToolPackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var packages = temp.File("packages");
        var home = temp.File("home");
        // A package cache of its own: a cached DepMap.Cli of the same version would hide this build.
        // DOTNET_CLI_HOME stands in for the user's home, so `--global`, the README's command,
        // installs into this folder's .dotnet/tools and leaves the machine's own tools alone.
        var environment = new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = temp.File("nuget-cache"),
            ["DOTNET_CLI_HOME"] = home,
        };

        // --no-build: the test project has just built the CLI in this configuration.
        var pack = await RunAsync(Dotnet(), ["pack", project, "-c", configuration, "--no-build", "--no-restore", "-o", packages], environment);
        Assert.True(pack.ExitCode == 0, pack.Output);
        Assert.Single(Directory.GetFiles(packages, "DepMap.Cli.*.nupkg"));
        var install = await RunAsync(Dotnet(), ["tool", "install", "--global", "DepMap.Cli", "--add-source", packages, "--ignore-failed-sources"], environment);
        Assert.True(install.ExitCode == 0, install.Output);
        var depmap = Path.Combine(home, ".dotnet", "tools", OperatingSystem.IsWindows() ? "depmap.exe" : "depmap");
        var help = await RunAsync(depmap, ["--help"], environment);

        Assert.True(help.ExitCode == 0, help.Output);
        foreach (var command in new[] { "graph", "rank", "snapshot", "diff" })
        {
            Assert.Contains(command, help.Output, StringComparison.Ordinal);
        }

        // Help proves the entry point starts; a diff proves a command and what it loads (Core, the
        // snapshot reader) came along in the package, and that its exit code reaches the caller.
        var baseline = Traffic.WriteFile(temp.Path, "baseline.json", Traffic.Snapshot());
        var added = Traffic.WriteFile(temp.Path, "added.json", Traffic.Snapshot(addEdge: true));
        var removed = Traffic.WriteFile(temp.Path, "removed.json", Traffic.Snapshot(removeEdge: true));
        var gated = await RunAsync(depmap, ["diff", "--base", baseline, "--head", added, "--fail-on", "added-edge"], environment);
        var passed = await RunAsync(depmap, ["diff", "--base", baseline, "--head", removed, "--fail-on", "added-edge"], environment);

        Assert.True(gated.ExitCode == 1, gated.Output);
        Assert.Contains("+ edge logistics -> inventory: 10 calls", gated.Output, StringComparison.Ordinal);
        Assert.True(passed.ExitCode == 0, passed.Output);
        Assert.Contains("- edge tracking -> tracking-db (database)", passed.Output, StringComparison.Ordinal);
    }

    private static string Dotnet() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] args, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(StepTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{Path.GetFileName(file)} {string.Join(' ', args)} did not finish within {StepTimeout.TotalMinutes} minutes");
        }
        return (process.ExitCode, $"{file} {string.Join(' ', args)}\n{await stdout}\n{await stderr}");
    }
}
