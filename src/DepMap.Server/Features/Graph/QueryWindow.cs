using System.Globalization;
using System.Text.RegularExpressions;

namespace DepMap.Server.Features.Graph;

/// <summary>
/// The time window a query reads, <c>[From, To)</c>. A relative window (<c>lookback</c>) ends at
/// the end of the current minute: statistics are kept per minute, so that window holds every call
/// aggregated so far, and it stays the same (and cacheable) for the rest of the minute.
/// </summary>
internal readonly partial record struct QueryWindow(DateTimeOffset From, DateTimeOffset To)
{
    public static readonly TimeSpan DefaultLookback = TimeSpan.FromHours(1);
    public static readonly TimeSpan MinLookback = TimeSpan.FromMinutes(1);

    /// <summary>The default hour-bucket retention: no window reaches further back than this.</summary>
    public static readonly TimeSpan MaxSpan = TimeSpan.FromDays(400);

    private static readonly string[] IsoFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd",
    ];

    public TimeSpan Span => To - From;

    /// <summary>The <paramref name="lookback"/> ending with the minute that holds <paramref name="now"/>.</summary>
    public static QueryWindow Last(TimeSpan lookback, DateTimeOffset now)
    {
        var end = EndOfMinute(now);
        return new QueryWindow(end - lookback, end);
    }

    public static DateTimeOffset EndOfMinute(DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        var start = new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        return start.AddMinutes(1);
    }

    /// <summary>
    /// <c>lookback</c> (15m, 1h, 7d) or <c>from</c>/<c>to</c> (ISO 8601): <c>from</c> alone runs to
    /// now, <c>to</c> alone or with <c>lookback</c> ends there; default the last hour.
    /// </summary>
    public static QueryWindow? Read(QueryParameters query, DateTimeOffset now)
    {
        var lookbackText = query.Text("lookback");
        var fromText = query.Text("from");
        var toText = query.Text("to");
        if (query.Failed)
        {
            return null;
        }
        if (lookbackText is not null && fromText is not null)
        {
            query.Fail("lookback", "cannot be combined with from; give lookback (optionally with to), or from and to");
            return null;
        }
        var lookback = lookbackText is null ? DefaultLookback : Lookback(query, lookbackText);
        var from = fromText is null ? null : Instant(query, "from", fromText);
        var to = toText is null ? null : Instant(query, "to", toText);
        if (query.Failed)
        {
            return null;
        }

        if (from is null && to is { } until && until - DateTimeOffset.MinValue < lookback!.Value)
        {
            // DateTimeOffset starts at year 1: a window reaching before it has no start to read from.
            query.Fail(toText is null ? "lookback" : "to", $"the window would start before 0001-01-01 ({Iso(until)} minus {lookbackText ?? "1h"})");
            return null;
        }
        var window = (from, to) switch
        {
            (null, null) => Last(lookback!.Value, now),
            (null, { } end) => new QueryWindow(end - lookback!.Value, end),
            ({ } start, null) => new QueryWindow(start, EndOfMinute(now)),
            ({ } start, { } end) => new QueryWindow(start, end),
        };
        if (window.From >= window.To)
        {
            query.Fail("from", $"must be before to ({Iso(window.From)} is not before {Iso(window.To)})");
            return null;
        }
        if (window.Span > MaxSpan)
        {
            query.Fail(fromText is null ? "lookback" : "from", $"the window may span at most {MaxSpan.TotalDays:0} days");
            return null;
        }
        return window;
    }

    private static TimeSpan? Lookback(QueryParameters query, string text)
    {
        var match = DurationPattern().Match(text);
        if (!match.Success)
        {
            query.Fail("lookback", $"'{QueryParameters.Shown(text)}' is not a duration; use a whole number and a unit s, m, h, d or w (15m, 1h, 7d)");
            return null;
        }
        var amount = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var unit = match.Groups[2].Value[0] switch
        {
            's' => TimeSpan.FromSeconds(1),
            'm' => TimeSpan.FromMinutes(1),
            'h' => TimeSpan.FromHours(1),
            'd' => TimeSpan.FromDays(1),
            _ => TimeSpan.FromDays(7),
        };
        if (amount > MaxSpan / unit)
        {
            query.Fail("lookback", $"'{text}' is longer than {MaxSpan.TotalDays:0}d");
            return null;
        }
        var lookback = unit * amount;
        if (lookback < MinLookback)
        {
            query.Fail("lookback", $"'{text}' is shorter than 1m; statistics are kept per minute");
            return null;
        }
        return lookback;
    }

    private static DateTimeOffset? Instant(QueryParameters query, string name, string text)
    {
        // An unencoded '+' in a query string arrives as a space: "10:00:00+02:00" reads "10:00:00 02:00".
        var candidate = text.Contains(' ', StringComparison.Ordinal) ? text.Replace(' ', '+') : text;
        if (DateTimeOffset.TryParseExact(candidate, IsoFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
        {
            return instant;
        }
        query.Fail(name, $"'{QueryParameters.Shown(text)}' is not an ISO 8601 time such as 2025-01-31T14:00:00Z");
        return null;
    }

    public static string Iso(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    [GeneratedRegex("^([0-9]{1,9})(s|m|h|d|w)$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();
}
