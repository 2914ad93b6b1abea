namespace DepMap.Core.Tests.Statistics;

/// <summary>Latency-like samples in nanoseconds from fixed seeds, so every run checks the same data.</summary>
internal static class SkewedData
{
    public static long[] LogNormal(int n, int seed, double medianNano = 20_000_000, double sigma = 1.0)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => (long)(medianNano * Math.Exp(sigma * Gaussian(random))))];
    }

    /// <summary>Pareto with shape 1.2: a heavy tail where p99 is far from the median.</summary>
    public static long[] Pareto(int n, int seed, double minNano = 1_000_000, double shape = 1.2)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => (long)Math.Min(minNano / Math.Pow(1 - random.NextDouble(), 1 / shape), 1e12))];
    }

    /// <summary>A cache in front of a database: 80% fast hits near 0.5 ms, 20% slow misses near 80 ms.</summary>
    public static long[] Bimodal(int n, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => random.NextDouble() < 0.8
            ? (long)(500_000 * Math.Exp(0.3 * Gaussian(random)))
            : (long)(80_000_000 * Math.Exp(0.5 * Gaussian(random))))];
    }

    /// <summary>The sorted value at index ⌊q·(n−1)⌋: the exact percentile the sketch estimates.</summary>
    public static long ExactQuantile(long[] sorted, double q) => sorted[(int)Math.Floor(q * (sorted.Length - 1))];

    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
