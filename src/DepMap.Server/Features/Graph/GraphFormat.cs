namespace DepMap.Server.Features.Graph;

/// <summary>The pictures and documents <c>/graph.*</c> answers with.</summary>
internal enum GraphFormat
{
    Json,
    Dot,
    Svg,
    Mermaid,
}

internal static class GraphFormats
{
    /// <summary>
    /// text/vnd.graphviz is DOT's registered type. Mermaid has none, so it is plain text, which
    /// browsers show rather than download.
    /// </summary>
    public static string ContentType(this GraphFormat format) => format switch
    {
        GraphFormat.Json => "application/json; charset=utf-8",
        GraphFormat.Dot => "text/vnd.graphviz; charset=utf-8",
        GraphFormat.Svg => "image/svg+xml; charset=utf-8",
        _ => "text/plain; charset=utf-8",
    };
}
