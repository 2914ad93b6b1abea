using System.Globalization;
using CsCheck;

namespace DepMap.Tests.Shared.Fuzzing;

/// <summary>
/// How a fuzz test draws its inputs: a fixed seed in CI (every run sees the same inputs), a random
/// one on demand with <c>DEPMAP_FUZZ_SEED=random</c> (or a number, to replay a run), and a fixed
/// number of inputs per test, multiplied by <c>DEPMAP_FUZZ_SCALE</c> for a longer hunt. Inputs come
/// from CsCheck generators driven by CsCheck's PCG; a failure names the seed and the input's index.
/// </summary>
internal static class FuzzBudget
{
    public const ulong FixedSeed = 20261202;

    public static ulong Seed { get; } = ReadSeed();

    public static int Scale { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("DEPMAP_FUZZ_SCALE"), CultureInfo.InvariantCulture, out var scale) && scale > 0 ? scale : 1;

    /// <summary>Runs <paramref name="property"/> on <paramref name="count"/> (times the scale) inputs of <paramref name="gen"/>.</summary>
    public static void Run<T>(string name, Gen<T> gen, int count, Action<T> property, Func<T, string> show) =>
        // The async loop over a property that never awaits: every task it gets is already complete.
        RunAsync(name, gen, count, input =>
        {
            property(input);
            return Task.CompletedTask;
        }, show).GetAwaiter().GetResult();

    /// <summary>Runs <paramref name="property"/>, which may await (a request to the server), on <paramref name="count"/> (times the scale) inputs of <paramref name="gen"/>.</summary>
    public static async Task RunAsync<T>(string name, Gen<T> gen, int count, Func<T, Task> property, Func<T, string> show)
    {
        var (pcg, total) = Start(name, count);
        for (var i = 0; i < total; i++)
        {
            var input = gen.Generate(pcg, null!, out _);
            try
            {
                await property(input);
            }
            catch (Exception failure)
            {
                throw Failed(name, i, show(input), failure);
            }
        }
        Console.WriteLine($"fuzz {name}: {total} inputs, seed {Seed}");
    }

    // One stream per test, so adding a test does not change the inputs of the others.
    private static (PCG Pcg, int Total) Start(string name, int count) => (new PCG((uint)Stable(name), Seed), count * Scale);

    private static Xunit.Sdk.XunitException Failed(string name, int index, string input, Exception failure) =>
        new($"{name} failed on input {index} of seed {Seed} (replay: DEPMAP_FUZZ_SEED={Seed}): {failure.Message}\ninput: {input}", failure);

    private static int Stable(string name)
    {
        var hash = 17;
        foreach (var c in name)
        {
            hash = unchecked((hash * 31) + c);
        }
        return hash & 0x7FFFFFFF;
    }

    private static ulong ReadSeed()
    {
        var text = Environment.GetEnvironmentVariable("DEPMAP_FUZZ_SEED");
        if (string.Equals(text, "random", StringComparison.OrdinalIgnoreCase))
        {
            return (ulong)Random.Shared.NextInt64(1, long.MaxValue);
        }
        return ulong.TryParse(text, CultureInfo.InvariantCulture, out var seed) ? seed : FixedSeed;
    }
}
