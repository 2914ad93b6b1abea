using DepMap.Core.Graph;

namespace DepMap.Server.Features.Graph;

/// <summary>
/// What a graph request shows: a window, optionally narrowed to the services within
/// <see cref="Depth"/> calls of <see cref="Focus"/>, and edges with at least <see cref="MinCalls"/> calls;
/// with <see cref="GroupByNamespace"/>, each <c>service.namespace</c> is one node (grouped first, so
/// a namespace can be the focus).
/// </summary>
internal sealed record GraphQuery(QueryWindow Window, string? Focus = null, int Depth = GraphQuery.DefaultDepth,
    FocusDirection Direction = FocusDirection.Both, long MinCalls = 0, bool GroupByNamespace = false)
{
    public const int DefaultDepth = 1;

    /// <summary>Deeper than this is the whole graph on any real system, and costs a walk per level.</summary>
    public const int MaxDepth = 32;

    /// <summary>OpenTelemetry puts no limit on service.name; this bounds what a URL may ask for.</summary>
    public const int MaxFocusLength = 256;

    /// <summary>The last hour with no filter: the view prerendered for every aggregation run.</summary>
    public bool IsDefaultView(DateTimeOffset now) =>
        Focus is null && MinCalls == 0 && !GroupByNamespace && Window == QueryWindow.Last(QueryWindow.DefaultLookback, now);

    public static GraphQuery? Read(QueryParameters query, DateTimeOffset now)
    {
        var window = QueryWindow.Read(query, now);
        var focus = FocusName(query, query.Text("focus"));
        var depth = query.Integer("depth", 0, MaxDepth, $"a whole number from 0 to {MaxDepth}");
        var direction = ReadDirection(query, query.Text("direction"));
        var minCalls = query.Integer("minCalls", 0, long.MaxValue, "a whole number, 0 or more");
        var group = ReadGroup(query, query.Text("group"));
        if (!query.Failed && focus is null && (depth is not null || direction is not null))
        {
            query.Fail(depth is not null ? "depth" : "direction", "applies only with focus (the service to walk from)");
        }
        if (query.Failed)
        {
            return null;
        }
        return new GraphQuery(window!.Value, focus, (int)(depth ?? DefaultDepth), direction ?? FocusDirection.Both, minCalls ?? 0, group);
    }

    private static string? FocusName(QueryParameters query, string? text)
    {
        if (text is null)
        {
            return null;
        }
        if (text.Length == 0)
        {
            query.Fail("focus", "must not be empty; name a service, or leave focus out");
        }
        else if (text.Length > MaxFocusLength)
        {
            query.Fail("focus", $"is {text.Length} characters long; at most {MaxFocusLength}");
        }
        else if (text.Any(char.IsControl))
        {
            query.Fail("focus", $"'{QueryParameters.Shown(text)}' contains control characters");
        }
        return query.Failed ? null : text;
    }

    // "none" is accepted so a page can say what it means without leaving the parameter out.
    private static bool ReadGroup(QueryParameters query, string? text)
    {
        switch (text)
        {
            case null or "none":
                return false;
            case "namespace":
                return true;
            default:
                query.Fail("group", $"'{QueryParameters.Shown(text)}' is not one of namespace, none");
                return false;
        }
    }

    private static FocusDirection? ReadDirection(QueryParameters query, string? text)
    {
        switch (text?.ToLowerInvariant())
        {
            case null:
                return null;
            case "upstream":
                return FocusDirection.Upstream;
            case "downstream":
                return FocusDirection.Downstream;
            case "both":
                return FocusDirection.Both;
            default:
                query.Fail("direction", $"'{QueryParameters.Shown(text)}' is not one of upstream, downstream, both");
                return null;
        }
    }
}
