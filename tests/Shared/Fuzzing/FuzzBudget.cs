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
    public static void Run<T>(string name, Gen<T> gen, int count, Action<T> property, Func<T, string> show)
    {
        // One stream per test, so adding a test does not change the inputs of the others.
        var pcg = new PCG((uint)Stable(name), Seed);
        var total = count * Scale;
        for (var i = 0; i < total; i++)
        {
            var input = gen.Generate(pcg, null!, out _);
            try
            {
                property(input);
            }
            catch (Exception failure)
            {
                throw new Xunit.Sdk.XunitException(
                    $"{name} failed on input {i} of seed {Seed} (replay: DEPMAP_FUZZ_SEED={Seed}): {failure.Message}\ninput: {show(input)}", failure);
            }
        }
        Console.WriteLine($"fuzz {name}: {total} inputs, seed {Seed}");
    }

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
