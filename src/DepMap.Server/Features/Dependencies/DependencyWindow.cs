using DepMap.Server.Features.Graph;

namespace DepMap.Server.Features.Dependencies;

/// <summary>
/// Zipkin's and Jaeger's dependency window: <c>endTs</c> in milliseconds since the epoch and
/// <c>lookback</c> in milliseconds before it; links from calls in <c>[endTs - lookback, endTs]</c>.
/// </summary>
internal static class DependencyWindow
{
    /// <summary>Both Zipkin (<c>zipkin.query.lookback</c>) and Jaeger query default to one day.</summary>
    public static readonly TimeSpan DefaultLookback = TimeSpan.FromDays(1);

    /// <summary>Zipkin requires <c>endTs</c>; Jaeger takes now when it is absent.</summary>
    public static QueryWindow? Read(QueryParameters query, DateTimeOffset now, bool endTsRequired)
    {
        var maxMs = (long)QueryWindow.MaxSpan.TotalMilliseconds;
        if (endTsRequired && !query.Has("endTs"))
        {
            query.Fail("endTs", "required: the end of the window in milliseconds since the epoch");
            return null;
        }
        var endTs = query.Integer("endTs", 1, DateTimeOffset.MaxValue.ToUnixTimeMilliseconds(), "a time in milliseconds since the epoch (a positive whole number)");
        var lookback = query.Integer("lookback", 1, maxMs, $"a duration in milliseconds from 1 to {maxMs} ({QueryWindow.MaxSpan.TotalDays:0} days)");
        if (query.Failed)
        {
            return null;
        }
        var end = endTs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : now;
        var span = lookback is { } back ? TimeSpan.FromMilliseconds(back) : DefaultLookback;
        if (end - DateTimeOffset.UnixEpoch < span)
        {
            query.Fail("lookback", "reaches back before 1970-01-01; make it shorter than endTs");
            return null;
        }
        return new QueryWindow(end - span, end);
    }
}
