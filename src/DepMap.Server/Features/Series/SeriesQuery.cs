using DepMap.Core.Statistics;
using DepMap.Server.Features.Graph;
using DepMap.Storage.Statistics;

namespace DepMap.Server.Features.Series;

/// <summary>
/// A window cut into steps of one stored bucket size (<c>1m</c> or <c>1h</c>): each point is one
/// bucket as the aggregation wrote it, so a series is a range read of existing rows, never a
/// re-aggregation. The default step is a minute up to six hours (at most 360 points), else an hour.
/// </summary>
internal sealed record SeriesQuery(QueryWindow Window, BucketResolution Step)
{
    public const int MaxPoints = 1500;
    private static readonly TimeSpan MinuteStepUpTo = TimeSpan.FromHours(6);

    public long StepMs => StatisticsBucket.Width(Step);

    /// <summary>The buckets read: the window widened to whole steps.</summary>
    public BucketRange Range => new(Step,
        StatisticsBucket.FloorMs(Window.From.ToUnixTimeMilliseconds(), StepMs),
        StatisticsBucket.CeilMs(Window.To.ToUnixTimeMilliseconds(), StepMs));

    public static SeriesQuery? Read(QueryParameters query, DateTimeOffset now)
    {
        var window = QueryWindow.Read(query, now);
        var stepText = query.Text("step");
        if (query.Failed)
        {
            return null;
        }
        BucketResolution step;
        switch (stepText)
        {
            case null:
                step = window!.Value.Span <= MinuteStepUpTo ? BucketResolution.Minute : BucketResolution.Hour;
                break;
            case "1m":
                step = BucketResolution.Minute;
                break;
            case "1h":
                step = BucketResolution.Hour;
                break;
            default:
                query.Fail("step", $"'{QueryParameters.Shown(stepText)}' is not a bucket size; use 1m or 1h");
                return null;
        }
        var series = new SeriesQuery(window!.Value, step);
        var points = (series.Range.ToUnixMs - series.Range.FromUnixMs) / series.StepMs;
        if (points > MaxPoints)
        {
            query.Fail("step", $"'{stepText}' cuts the window into {points} points; at most {MaxPoints} (use 1h for long windows)");
            return null;
        }
        return series;
    }
}

/// <summary>One step of a series: calls, failed calls and the p99 latency in ms (null without latencies).</summary>
internal sealed record SeriesPoint(DateTimeOffset Time, long Calls, long Errors, double? P99Ms);

/// <summary>A series over a window; every step has a point, zero where nothing was recorded.</summary>
internal sealed record SeriesView(DateTimeOffset From, DateTimeOffset To, string Step, IReadOnlyList<SeriesPoint> Points)
{
    public static SeriesView Of(SeriesQuery query, IReadOnlyDictionary<long, SeriesPoint> recorded)
    {
        var points = new List<SeriesPoint>();
        for (var start = query.Range.FromUnixMs; start < query.Range.ToUnixMs; start += query.StepMs)
        {
            points.Add(recorded.GetValueOrDefault(start) ?? new SeriesPoint(DateTimeOffset.FromUnixTimeMilliseconds(start), 0, 0, null));
        }
        return new SeriesView(query.Window.From, query.Window.To, query.Step == BucketResolution.Minute ? "1m" : "1h", points);
    }
}
