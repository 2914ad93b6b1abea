namespace DepMap.Rendering;

/// <summary>
/// Where Graphviz lives and how long each layout may take. Defaults keep the worst case (dot, then
/// sfdp, then dot on the busiest edges, then a text placeholder) under <see cref="TotalBudget"/>,
/// so any graph gets a picture within 10 s.
/// </summary>
public sealed record GraphvizOptions
{
    /// <summary>The largest <see cref="DotNsLimit"/>: dot multiplies it by the node count into an int, which a larger one can wrap round.</summary>
    public const double MaxDotNsLimit = 10_000;

    public string DotPath { get; init; } = "dot";
    public string SfdpPath { get; init; } = "sfdp";

    /// <summary>dot's hierarchical layout can take minutes on a dense cyclic graph; this is its hard limit.</summary>
    public TimeSpan DotTimeout { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>
    /// Graphs with more edges go straight to sfdp: measured here, dot took 0.35-1 s at about 400
    /// edges (150 services), 1.9-17 s at 850 and over 30 s at 1,400, where sfdp takes 0.2-0.3 s.
    /// </summary>
    public int DotMaxEdges { get; init; } = 400;

    /// <summary>
    /// dot's <c>nslimit</c>: network-simplex iterations per node that dot may spend placing nodes
    /// within their ranks. Measured with Graphviz 2.43, layered graphs of up to 150 services settle
    /// within 8 per node and are drawn byte for byte as without a limit; the 50-service ring needs 30,
    /// each walking a tree of 2,000 virtual nodes that its long back edges and the edge-label ranks
    /// add, which was 60 of its 90 ms. Below about 10 the rougher placement makes spline routing cost
    /// more than the iterations saved. Null leaves dot unlimited; at most <see cref="MaxDotNsLimit"/>.
    /// </summary>
    public double? DotNsLimit { get; init; } = 10;

    /// <summary>The limit of each fallback layout.</summary>
    public TimeSpan FallbackTimeout { get; init; } = TimeSpan.FromSeconds(2.5);

    /// <summary>No layout starts once this has passed since the render began.</summary>
    public TimeSpan TotalBudget { get; init; } = TimeSpan.FromSeconds(9);

    /// <summary>
    /// Renders that may run Graphviz at once (each runs one process at a time); more wait for a
    /// slot. Graphviz is single-threaded, so more than the cores only makes every layout slower.
    /// </summary>
    public int MaxConcurrentLayouts { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Renders that may wait for a slot; past it a render is refused at once (<see cref="GraphvizBusyException"/>).</summary>
    public int MaxQueuedLayouts { get; init; } = 8;

    /// <summary>
    /// The longest a render waits for a slot before it is refused. The wait counts against
    /// <see cref="TotalBudget"/>, so waiting and drawing together still end within the budget.
    /// </summary>
    public TimeSpan MaxLayoutWait { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How many edges the last Graphviz fallback keeps.</summary>
    public int FallbackMaxEdges { get; init; } = 150;
}
