namespace DepMap.Core.Reliability;

/// <summary>
/// The Wilson score interval of a binomial proportion: unlike the normal approximation it stays
/// inside [0, 1] and widens properly on few trials, so 1 failure in 2 calls reads as "somewhere
/// between 9% and 91%", not as 50%.
/// </summary>
internal static class WilsonInterval
{
    public static (double Lower, double Upper) Of(long successes, long trials, double z)
    {
        if (trials <= 0)
        {
            return (0, 1);
        }
        var n = (double)trials;
        var p = Math.Clamp(successes / n, 0, 1);
        var z2 = z * z;
        var denominator = 1 + z2 / n;
        var centre = p + z2 / (2 * n);
        var margin = z * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return (Math.Max(0, (centre - margin) / denominator), Math.Min(1, (centre + margin) / denominator));
    }
}
