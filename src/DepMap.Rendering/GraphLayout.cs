namespace DepMap.Rendering;

/// <summary>Which layout produced a picture; anything but <see cref="Dot"/> carries a visible note.</summary>
public enum GraphLayout
{
    Dot = 0,
    Sfdp = 1,
    BusiestEdges = 2,
    Placeholder = 3,
}

/// <summary>An SVG picture, the layout that drew it and the note shown in it when a fallback was used.</summary>
public sealed record RenderedSvg(string Svg, GraphLayout Layout, string? Note);
