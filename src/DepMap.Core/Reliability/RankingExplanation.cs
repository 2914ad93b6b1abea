using System.Globalization;

namespace DepMap.Core.Reliability;

/// <summary>
/// The one-line reason behind a rank, e.g. "originates 4.1% errors (±0.3) on 120k requests; 9
/// services depend on it". The ± is the half-width of the Wilson interval in percentage points.
/// </summary>
internal static class RankingExplanation
{
    public static string For(RankingFactors factors)
    {
        var parts = new List<string>(5);
        if (factors.Requests == 0)
        {
            parts.Add("serves no requests");
        }
        else if (factors.OriginatedErrors <= 0)
        {
            // A Wilson interval at zero is one-sided: a ± would suggest negative error rates.
            parts.Add($"originates no errors on {Count(factors.Requests)} requests");
            AddPassedOn(parts, factors);
        }
        else
        {
            var halfWidth = (factors.OriginatedErrorRateUpper - factors.OriginatedErrorRateLower) / 2;
            parts.Add($"originates {Percent(factors.OriginatedErrorRate)}% errors (±{Percent(halfWidth)}) on {Count(factors.Requests)} requests");
            AddPassedOn(parts, factors);
        }
        if (factors.P99LatencyNano is { } p99)
        {
            parts.Add($"p99 {Duration(p99)}");
        }
        if (factors.SelfTimeShare >= 0.01)
        {
            parts.Add($"{Percent(factors.SelfTimeShare)}% of its traces' time in its own spans");
        }
        parts.Add(factors.BlastRadius switch
        {
            0 => "no service depends on it",
            1 => "1 service depends on it",
            var n => $"{n} services depend on it",
        });
        return string.Join("; ", parts);
    }

    private static void AddPassedOn(List<string> parts, RankingFactors factors)
    {
        if (factors.PassedOnErrors > 0)
        {
            parts.Add($"passes on {Percent((double)factors.PassedOnErrors / factors.Requests)}% from dependencies");
        }
    }

    private static string Percent(double share)
    {
        var percent = share * 100;
        return percent.ToString(percent is > 0 and < 0.1 ? "0.0#" : "0.0", CultureInfo.InvariantCulture);
    }

    private static string Count(long count) => count switch
    {
        < 1_000 => count.ToString(CultureInfo.InvariantCulture),
        < 10_000 => (count / 1_000.0).ToString("0.#", CultureInfo.InvariantCulture) + "k",
        < 1_000_000 => (count / 1_000).ToString(CultureInfo.InvariantCulture) + "k",
        _ => (count / 1_000_000.0).ToString("0.#", CultureInfo.InvariantCulture) + "M",
    };

    private static string Duration(long nanos) => nanos switch
    {
        < 1_000_000 => (nanos / 1_000.0).ToString("0", CultureInfo.InvariantCulture) + " µs",
        < 10_000_000 => (nanos / 1_000_000.0).ToString("0.#", CultureInfo.InvariantCulture) + " ms",
        < 1_000_000_000 => (nanos / 1_000_000.0).ToString("0", CultureInfo.InvariantCulture) + " ms",
        _ => (nanos / 1_000_000_000.0).ToString("0.##", CultureInfo.InvariantCulture) + " s",
    };
}
