using DepMap.Core.Graph;

namespace DepMap.Core.Writers;

/// <summary>How <see cref="DotWriter"/> draws a graph.</summary>
public sealed record DotWriterOptions
{
    public static readonly DotWriterOptions Default = new();

    /// <summary>A note printed under the picture ("dot timed out: sfdp layout used").</summary>
    public string? Caption { get; init; }

    /// <summary>Group nodes by <c>service.namespace</c> (sfdp ignores clusters, so its fallback turns this off).</summary>
    public bool Clusters { get; init; } = true;

    /// <summary>Straight edges: far cheaper for dot on dense graphs.</summary>
    public bool Splines { get; init; } = true;

    /// <summary>Longest label, in characters, before it is cut with an ellipsis.</summary>
    public int MaxLabelLength { get; init; } = 80;

    public Func<GraphNode, DotDecoration?>? NodeDecoration { get; init; }
    public Func<GraphEdge, DotDecoration?>? EdgeDecoration { get; init; }
}
