namespace DepMap.Cli;

/// <summary>What <c>depmap graph</c> writes.</summary>
internal enum GraphFormat
{
    Dot,
    Svg,
    Json,
    Mermaid,
    Zipkin,
}

internal static class GraphFormats
{
    public static GraphFormat? Parse(string? name) => name switch
    {
        "svg" => GraphFormat.Svg,
        "dot" => GraphFormat.Dot,
        "json" => GraphFormat.Json,
        "mermaid" => GraphFormat.Mermaid,
        "zipkin" => GraphFormat.Zipkin,
        _ => null,
    };

    /// <summary>
    /// Without <c>--format</c>, the output file's extension decides (<c>.svg</c>, <c>.json</c>,
    /// <c>.mmd</c>/<c>.mermaid</c>); anything else, stdout included, is DOT.
    /// </summary>
    public static GraphFormat FromOutputPath(string? path) => Path.GetExtension(path ?? "").ToLowerInvariant() switch
    {
        ".svg" => GraphFormat.Svg,
        ".json" => GraphFormat.Json,
        ".mmd" or ".mermaid" => GraphFormat.Mermaid,
        _ => GraphFormat.Dot,
    };
}
