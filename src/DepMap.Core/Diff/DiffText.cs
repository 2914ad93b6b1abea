using System.Globalization;
using DepMap.Core.Writers;

namespace DepMap.Core.Diff;

/// <summary>The words and numbers the diff writers share, so the report, the picture and the JSON agree.</summary>
internal static class DiffText
{
    public static string Edge(EdgeFigures edge)
    {
        var via = GraphText.ConnectionWord(edge.Key.ConnectionType);
        return $"{edge.Key.Caller} -> {edge.Key.Callee}" + (via.Length == 0 ? "" : $" ({via})");
    }

    public static string Points(double points) => Signed(points, 1) + " pt";

    public static string Ratio(double ratio) => Signed(ratio * 100, 0) + "%";

    public static string Ms(double ms) => GraphText.Duration(ms * 1e6);

    public static string Percent(double rate) => GraphText.Percent(rate);

    public static string Window(TimeSpan? window) => window switch
    {
        null => "window unknown",
        { TotalDays: >= 1 } w when w.TotalDays % 1 == 0 => w.TotalDays.ToString("0", CultureInfo.InvariantCulture) + "d",
        { TotalHours: >= 1 } w when w.TotalHours % 1 == 0 => w.TotalHours.ToString("0", CultureInfo.InvariantCulture) + "h",
        { TotalMinutes: >= 1 } w when w.TotalMinutes % 1 == 0 => w.TotalMinutes.ToString("0", CultureInfo.InvariantCulture) + "m",
        { } w => w.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s",
    };

    /// <summary>What regressed, with before and after: <c>errors 10.0% -> 30.0% (+20.0 pt)</c>, <c>p99 40 ms -> 120 ms (+200%)</c>.</summary>
    public static List<string> Deltas(EdgeChange change, bool all)
    {
        var parts = new List<string>();
        if (all || change.Reasons.HasFlag(RegressionReasons.ErrorRate))
        {
            parts.Add($"errors {Percent(change.Base.ErrorRate)} -> {Percent(change.Head.ErrorRate)} ({Points(change.ErrorRatePoints)})");
        }
        if (change.P99 is { } p99 && (all || change.Reasons.HasFlag(RegressionReasons.P99)))
        {
            var ratio = p99.Ratio is { } r ? $" ({Ratio(r)})" : "";
            parts.Add($"p99 {Ms(p99.BaseMs)} -> {Ms(p99.HeadMs)}{ratio}");
        }
        if (all && change.BaseCallsPerMinute is { } before && change.HeadCallsPerMinute is { } after)
        {
            var ratio = change.CallRateRatio is { } r ? $" ({Ratio(r)})" : "";
            parts.Add($"calls/min {Rate(before)} -> {Rate(after)}{ratio}");
        }
        return parts;
    }

    public static string Rate(double perMinute) => perMinute.ToString(perMinute >= 10 ? "0" : "0.##", CultureInfo.InvariantCulture);

    // Rounded first, so a tiny fall does not print as "-0.0".
    private static string Signed(double value, int decimals)
    {
        var rounded = Math.Round(value, decimals);
        var text = (rounded == 0 ? 0 : rounded).ToString(decimals == 0 ? "0" : "0.0", CultureInfo.InvariantCulture);
        return rounded >= 0 ? "+" + text : text;
    }
}
