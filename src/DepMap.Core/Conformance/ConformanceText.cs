using System.Globalization;

namespace DepMap.Core.Conformance;

/// <summary>The words the conformance writers share, so the text report, the JSON and the picture agree.</summary>
internal static class ConformanceText
{
    public static string Duration(TimeSpan span) => span switch
    {
        { TotalDays: >= 1 } w when w.TotalDays % 1 == 0 => w.TotalDays.ToString("0", CultureInfo.InvariantCulture) + "d",
        { TotalHours: >= 1 } w when w.TotalHours % 1 == 0 => w.TotalHours.ToString("0", CultureInfo.InvariantCulture) + "h",
        { TotalMinutes: >= 1 } w when w.TotalMinutes % 1 == 0 => w.TotalMinutes.ToString("0", CultureInfo.InvariantCulture) + "m",
        _ => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s",
    };

    public static string Edge(ObservedEdge edge) =>
        $"{edge.Key.Caller} -> {edge.Key.Callee}" + (edge.ConnectionWord.Length == 0 ? "" : $" ({edge.ConnectionWord})");

    public static string Evidence(long calls, long errors, string? exemplar) =>
        (calls == 1 ? "1 call" : $"{calls.ToString(CultureInfo.InvariantCulture)} calls")
        + $", {errors.ToString(CultureInfo.InvariantCulture)} errors"
        + (exemplar is null ? "" : $", trace {exemplar}");

    public static string Window(ObservedWindow window)
    {
        var parts = new List<string>();
        if (window.FromUnixMs is { } from && window.ToUnixMs is { } to)
        {
            parts.Add($"{Iso(from)} to {Iso(to)}");
        }
        parts.Add(window.Length is { } length ? Duration(length) : "window unknown");
        return string.Join(", ", parts);
    }

    public static string Iso(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFF'Z'", CultureInfo.InvariantCulture);
}
