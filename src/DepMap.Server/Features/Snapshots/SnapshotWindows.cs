using System.Globalization;
using DepMap.Server.Features.Graph;
using Microsoft.Extensions.Primitives;

namespace DepMap.Server.Features.Snapshots;

/// <summary>
/// Windows given in a JSON body or as one diff parameter, read by the graph API's own parser
/// (<see cref="QueryWindow"/>) so every endpoint accepts and refuses the same things.
/// </summary>
internal static class SnapshotWindows
{
    /// <summary><c>lookback</c>, or <c>from</c>/<c>to</c>; the error names the field.</summary>
    public static QueryWindow? Read(string? lookback, string? from, string? to, DateTimeOffset now, out ParameterError? error)
    {
        var values = new Dictionary<string, StringValues>();
        Add(values, "lookback", lookback);
        Add(values, "from", from);
        Add(values, "to", to);
        var query = new QueryParameters(new QueryCollection(values));
        var window = QueryWindow.Read(query, now);
        error = query.Error;
        return window;
    }

    /// <summary>
    /// One side of <c>/graph/diff</c>: a snapshot id (digits), a lookback (<c>1h</c>) or an ISO 8601
    /// interval <c>from/to</c>. The error names <paramref name="parameter"/>.
    /// </summary>
    public static DiffSide? ReadSide(string parameter, string? text, DateTimeOffset now, out ParameterError? error)
    {
        error = null;
        if (string.IsNullOrEmpty(text))
        {
            error = new ParameterError(parameter, "is required: a snapshot id, a lookback such as 1h, or an interval from/to in ISO 8601");
            return null;
        }
        if (text.All(char.IsAsciiDigit))
        {
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                ? new DiffSide(id, null)
                : Fail(parameter, $"'{QueryParameters.Shown(text)}' is too large for a snapshot id", out error);
        }
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var window = slash < 0
            ? Read(text, null, null, now, out var inner)
            : Read(null, text[..slash], text[(slash + 1)..], now, out inner);
        if (inner is not null)
        {
            return Fail(parameter, $"{inner.Parameter} {inner.Reason}", out error);
        }
        return new DiffSide(null, window);
    }

    private static DiffSide? Fail(string parameter, string reason, out ParameterError error)
    {
        error = new ParameterError(parameter, reason);
        return null;
    }

    private static void Add(Dictionary<string, StringValues> values, string name, string? value)
    {
        if (value is not null)
        {
            values[name] = value;
        }
    }
}

/// <summary>A stored snapshot, or a window of the live statistics.</summary>
internal sealed record DiffSide(long? SnapshotId, QueryWindow? Window);
