namespace DepMap.Cli.Tests;

/// <summary>A finished <c>depmap</c> run: its exit code and what it wrote.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs the real <c>depmap</c> root command in-process with captured stdout and stderr.</summary>
internal static class Cli
{
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await Program.CreateRoot().Parse(args).InvokeAsync(new() { Output = stdout, Error = stderr });
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A file of docs/examples, copied beside the tests so the working directory does not matter.</summary>
    public static string Example(string name) => Path.Combine(AppContext.BaseDirectory, "Examples", name);

    /// <summary>A committed file of graphs/examples.</summary>
    public static string Graph(string name) => Path.Combine(AppContext.BaseDirectory, "Graphs", name);
}

/// <summary>A temporary folder removed after the test.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("depmap-cli-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, string text)
    {
        var path = File(name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
