using DepMap.Core.Graph;
using DepMap.Core.Statistics;
using DepMap.Core.Writers;

namespace DepMap.Core.Diff;

/// <summary>
/// Draws both graphs of a diff in one DOT picture through <see cref="DotWriter"/>: the head graph
/// plus what the base had and the head lost. Added nodes and edges are green, removed ones red and
/// dashed, regressed edges orange with the delta in their label; everything else is grey, so
/// colour means change only (the usual error-red and cycle-purple would read as a diff).
/// </summary>
public static class DiffDotWriter
{
    public const string AddedColor = "#2ca02c";
    public const string RemovedColor = "#d62728";
    public const string RegressedColor = "#ff7f0e";
    private const string UnchangedColor = "#555555";

    public static string Write(ServiceGraph @base, ServiceGraph head, GraphDiff diff, DotWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(@base);
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(diff);
        var union = new GraphStatistics();
        foreach (var edge in head.Edges)
        {
            union.Merge(edge.Statistics);
        }
        foreach (var node in head.Nodes)
        {
            union.Merge(node.Statistics);
        }
        var removedEdges = diff.RemovedEdges.Select(e => e.Key).ToHashSet();
        var removedNodes = diff.RemovedNodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var edge in @base.Edges.Where(e => removedEdges.Contains(e.Key)))
        {
            union.Merge(edge.Statistics);
        }
        foreach (var node in @base.Nodes.Where(n => removedNodes.Contains(n.Name)))
        {
            union.Merge(node.Statistics);
        }

        var addedEdges = diff.AddedEdges.Select(e => e.Key).ToHashSet();
        var addedNodes = diff.AddedNodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var regressed = diff.Regressed.ToDictionary(c => c.Key);
        options ??= DotWriterOptions.Default;
        return DotWriter.Write(ServiceGraph.From(union), options with
        {
            Caption = options.Caption ?? Caption(diff),
            NodeDecoration = node =>
                addedNodes.Contains(node.Name) ? new DotDecoration(Color: AddedColor, FillColor: "#e3f4e3", ExtraLabel: "new")
                : removedNodes.Contains(node.Name) ? new DotDecoration(Color: RemovedColor, Style: "dashed", ExtraLabel: "removed")
                : new DotDecoration(Color: UnchangedColor),
            EdgeDecoration = edge =>
                addedEdges.Contains(edge.Key) ? new DotDecoration(Color: AddedColor, ExtraLabel: "new")
                : removedEdges.Contains(edge.Key) ? new DotDecoration(Color: RemovedColor, Style: "dashed", ExtraLabel: "removed")
                : regressed.TryGetValue(edge.Key, out var change)
                    ? new DotDecoration(Color: RegressedColor, ExtraLabel: string.Join(", ", DiffText.Deltas(change, all: false)))
                : new DotDecoration(Color: UnchangedColor),
        });
    }

    private static string Caption(GraphDiff diff) =>
        $"diff: +{diff.AddedNodes.Count} -{diff.RemovedNodes.Count} nodes, +{diff.AddedEdges.Count} -{diff.RemovedEdges.Count} edges, "
        + $"{diff.Regressed.Count} regressed (green new, red dashed removed, orange regressed)";
}
