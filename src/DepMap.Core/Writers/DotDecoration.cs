namespace DepMap.Core.Writers;

/// <summary>
/// Extra styling for one node or edge of a DOT picture, on top of the defaults: a diff colours added
/// edges green and removed ones red and dashed; a ranking fills failing nodes. Values are Graphviz
/// colours and styles (<c>"#2ca02c"</c>, <c>"dashed"</c>); <see cref="ExtraLabel"/> adds a line.
/// </summary>
public sealed record DotDecoration(string? Color = null, string? FillColor = null, string? Style = null, string? ExtraLabel = null);
