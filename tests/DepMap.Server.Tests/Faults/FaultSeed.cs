using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Xunit.Abstractions;

namespace DepMap.Server.Tests.Faults;

/// <summary>
/// The seed of the fault tests' random choices (where kills land, which batches run): fixed in CI,
/// random on demand with <c>DEPMAP_FAULT_SEED=random</c>, or a number to replay a run. The figures
/// each test prints go to the test output and to <c>artifacts/test-results/fault-figures.txt</c>,
/// which the test script prints at its end.
/// </summary>
internal static class FaultSeed
{
    public const int Fixed = 1202;

    public static int Value { get; } = Read();

    public static void Report(ITestOutputHelper output, string line)
    {
        var text = $"{line} (seed {Value})";
        output.WriteLine(text);
        Console.WriteLine(text);
        var results = Path.Combine(RepositoryRoot(), "artifacts", "test-results");
        Directory.CreateDirectory(results);
        lock (typeof(FaultSeed))
        {
            File.AppendAllText(Path.Combine(results, "fault-figures.txt"), text + Environment.NewLine);
        }
    }

    /// <summary>
    /// Reports the case as skipped with <paramref name="reason"/>, among the figures and in the
    /// results (neither passed nor failed), unless the fault could be built here.
    /// </summary>
    public static void SkipUnless(ITestOutputHelper output, [DoesNotReturnIf(false)] bool faultBuilt, string fault, string reason)
    {
        if (!faultBuilt)
        {
            Report(output, $"{fault}: SKIPPED, {reason}");
        }
        Skip.IfNot(faultBuilt, reason);
    }

    private static int Read()
    {
        var text = Environment.GetEnvironmentVariable("DEPMAP_FAULT_SEED");
        if (string.Equals(text, "random", StringComparison.OrdinalIgnoreCase))
        {
            return Random.Shared.Next(1, int.MaxValue);
        }
        return int.TryParse(text, CultureInfo.InvariantCulture, out var seed) ? seed : Fixed;
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "DepMap.sln")))
            {
                return folder.FullName;
            }
        }
        return Directory.GetCurrentDirectory();
    }
}
