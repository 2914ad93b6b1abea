using System.Text;

namespace DepMap.Core.Diff;

/// <summary>
/// The drift check's report, for a terminal or a CI log: a headline with the counts, then one line
/// per added (<c>+</c>) or removed (<c>-</c>) node and edge and per regressed edge (<c>!</c>) with
/// what crossed its threshold, before and after.
/// </summary>
public static class DiffTextWriter
{
    public static string Write(GraphDiff diff, DiffSource? @base = null, DiffSource? head = null)
    {
        ArgumentNullException.ThrowIfNull(diff);
        var text = new StringBuilder();
        text.Append("base: ").Append(Describe(@base, diff.Base)).Append('\n');
        text.Append("head: ").Append(Describe(head, diff.Head)).Append('\n');
        var regressed = diff.Regressed;
        text.Append($"nodes: +{diff.AddedNodes.Count} -{diff.RemovedNodes.Count}; ")
            .Append($"edges: +{diff.AddedEdges.Count} -{diff.RemovedEdges.Count}, {regressed.Count} regressed of {diff.Changes.Count} in both\n");
        if (!diff.TopologyChanged && regressed.Count == 0)
        {
            text.Append("no change in topology and no regression\n");
            return text.ToString();
        }
        foreach (var node in diff.AddedNodes)
        {
            text.Append($"+ node {node.Name} ({Writers.GraphText.NodeWord(node.Type)})\n");
        }
        foreach (var node in diff.RemovedNodes)
        {
            text.Append($"- node {node.Name} ({Writers.GraphText.NodeWord(node.Type)})\n");
        }
        foreach (var edge in diff.AddedEdges)
        {
            text.Append($"+ edge {DiffText.Edge(edge)}: {Summary(edge)}\n");
        }
        foreach (var edge in diff.RemovedEdges)
        {
            text.Append($"- edge {DiffText.Edge(edge)}: was {Summary(edge)}\n");
        }
        foreach (var change in regressed)
        {
            text.Append($"! edge {DiffText.Edge(change.Head)} regressed: {string.Join("; ", DiffText.Deltas(change, all: false))}\n");
        }
        return text.ToString();
    }

    private static string Describe(DiffSource? source, GraphFigures figures)
    {
        var parts = new List<string> { source?.Name ?? "(unnamed)" };
        if (source?.Label is { } label)
        {
            parts.Add($"label \"{label}\"");
        }
        parts.Add(DiffText.Window(figures.Window));
        parts.Add($"{figures.Nodes.Count} nodes, {figures.Edges.Count} edges");
        return string.Join(", ", parts);
    }

    private static string Summary(EdgeFigures edge)
    {
        var calls = edge.CallCount == 1 ? "1 call" : $"{edge.CallCount} calls";
        var latency = edge.ServerLatency ?? edge.ClientLatency;
        return $"{calls}, {DiffText.Percent(edge.ErrorRate)} errors" + (latency is null ? "" : $", p99 {DiffText.Ms(latency.P99Ms)}");
    }
}
