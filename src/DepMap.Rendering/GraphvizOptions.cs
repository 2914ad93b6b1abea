namespace DepMap.Rendering;

/// <summary>
/// Where Graphviz lives and how long each layout may take. Defaults keep the worst case (dot, then
/// sfdp, then dot on the busiest edges, then a text placeholder) under <see cref="TotalBudget"/>,
/// so any graph gets a picture within 10 s.
/// </summary>
public sealed record GraphvizOptions
{
    public string DotPath { get; init; } = "dot";
    public string SfdpPath { get; init; } = "sfdp";

    /// <summary>dot's hierarchical layout can take minutes on a dense cyclic graph; this is its hard limit.</summary>
    public TimeSpan DotTimeout { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>
    /// Graphs with more edges go straight to sfdp: measured here, dot took 0.35-1 s at about 400
    /// edges (150 services), 1.9-17 s at 850 and over 30 s at 1,400, where sfdp takes 0.2-0.3 s.
    /// </summary>
    public int DotMaxEdges { get; init; } = 400;

    /// <summary>The limit of each fallback layout.</summary>
    public TimeSpan FallbackTimeout { get; init; } = TimeSpan.FromSeconds(2.5);

    /// <summary>No layout starts once this has passed since the render began.</summary>
    public TimeSpan TotalBudget { get; init; } = TimeSpan.FromSeconds(9);

    /// <summary>How many edges the last Graphviz fallback keeps.</summary>
    public int FallbackMaxEdges { get; init; } = 150;
}
