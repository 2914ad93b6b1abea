using System.Globalization;
using System.Text;
using DepMap.Core.Graph;
using DepMap.Core.Linking;

namespace DepMap.Core.Writers;

/// <summary>
/// Writes a <see cref="ServiceGraph"/> as Graphviz DOT. Output depends only on the graph: nodes get
/// ids <c>n0…</c> in name order and every user-supplied string is a quoted, escaped label, so a
/// service name can never inject DOT. Shapes follow node types, edge width grows with the log of
/// the call count, edges with 5% errors or more are red and edges in a cycle purple, health fills nodes.
/// </summary>
public static class DotWriter
{
    private const double ErrorEdgeThreshold = 0.05;

    public static string Write(ServiceGraph graph, DotWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        options ??= DotWriterOptions.Default;
        var ids = new Dictionary<GraphNode, string>();
        for (var i = 0; i < graph.Nodes.Count; i++)
        {
            ids[graph.Nodes[i]] = "n" + i.ToString(CultureInfo.InvariantCulture);
        }

        var dot = new StringBuilder();
        dot.Append("digraph depmap {\n");
        dot.Append("  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=10, nodesep=0.4, ranksep=0.8");
        if (!options.Splines)
        {
            dot.Append(", splines=false");
        }
        if (options.Caption is { } caption)
        {
            dot.Append(", labelloc=b, labeljust=l, label=").Append(DotText.Quote(caption));
        }
        dot.Append("];\n");
        dot.Append("  node [fontname=\"Helvetica\", fontsize=10];\n");
        dot.Append("  edge [fontname=\"Helvetica\", fontsize=8, color=\"#555555\", fontcolor=\"#333333\"];\n");

        var byNamespace = graph.Nodes
            .Where(n => options.Clusters && n.Namespace is not null)
            .GroupBy(n => n.Namespace!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        for (var c = 0; c < byNamespace.Count; c++)
        {
            dot.Append("  subgraph cluster_").Append(c.ToString(CultureInfo.InvariantCulture)).Append(" {\n");
            dot.Append("    graph [label=").Append(DotText.Quote(GraphText.Truncate(byNamespace[c].Key, options.MaxLabelLength)))
                .Append(", style=\"rounded,dashed\", color=\"#999999\"];\n");
            foreach (var node in byNamespace[c])
            {
                AppendNode(dot, "    ", ids[node], node, options);
            }
            dot.Append("  }\n");
        }
        var clustered = byNamespace.SelectMany(g => g).ToHashSet();
        foreach (var node in graph.Nodes.Where(n => !clustered.Contains(n)))
        {
            AppendNode(dot, "  ", ids[node], node, options);
        }

        var maxCalls = graph.Edges.Count == 0 ? 1 : graph.Edges.Max(e => e.Statistics.CallCount);
        foreach (var edge in graph.Edges)
        {
            AppendEdge(dot, ids[edge.Source], ids[edge.Target], edge, maxCalls, options);
        }
        dot.Append("}\n");
        return dot.ToString();
    }

    private static void AppendNode(StringBuilder dot, string indent, string id, GraphNode node, DotWriterOptions options)
    {
        var decoration = options.NodeDecoration?.Invoke(node);
        var lines = new List<string> { GraphText.Truncate(node.Name, options.MaxLabelLength) };
        if (decoration?.ExtraLabel is { } extra)
        {
            lines.Add(extra);
        }
        dot.Append(indent).Append(id).Append(" [label=").Append(DotText.QuoteLines(lines)).Append(", ").Append(Shape(node.Type));
        var fill = decoration?.FillColor ?? HealthFill(node.Health);
        var style = decoration?.Style ?? (node.Type == NodeType.External ? "dashed" : null);
        var styles = new[] { node.Type is NodeType.Service ? "rounded" : null, style, fill is null ? null : "filled" }.OfType<string>().ToList();
        if (styles.Count > 0)
        {
            dot.Append(", style=").Append(DotText.Quote(string.Join(",", styles)));
        }
        if (fill is not null)
        {
            dot.Append(", fillcolor=").Append(DotText.Quote(fill));
        }
        if ((decoration?.Color ?? (node.InCycle ? "#7b3fa0" : null)) is { } color)
        {
            dot.Append(", color=").Append(DotText.Quote(color));
        }
        dot.Append("];\n");
    }

    private static void AppendEdge(StringBuilder dot, string from, string to, GraphEdge edge, long maxCalls, DotWriterOptions options)
    {
        var statistics = edge.Statistics;
        var decoration = options.EdgeDecoration?.Invoke(edge);
        var lines = new List<string>();
        if (statistics.Key.ConnectionType == ConnectionType.MessagingSystem && (statistics.Destination ?? statistics.Broker) is { } via)
        {
            lines.Add("via " + GraphText.Truncate(via, options.MaxLabelLength));
        }
        lines.AddRange(GraphText.EdgeSummary(statistics, "\n").Split('\n'));
        if (decoration?.ExtraLabel is { } extra)
        {
            lines.Add(extra);
        }
        dot.Append("  ").Append(from).Append(" -> ").Append(to).Append(" [label=").Append(DotText.QuoteLines(lines));
        dot.Append(", penwidth=").Append(PenWidth(statistics.CallCount, maxCalls).ToString("0.0", CultureInfo.InvariantCulture));
        var color = decoration?.Color
            ?? (statistics.ErrorRate >= ErrorEdgeThreshold ? "#d62728" : edge.InCycle ? "#7b3fa0" : null);
        if (color is not null)
        {
            dot.Append(", color=").Append(DotText.Quote(color)).Append(", fontcolor=").Append(DotText.Quote(color));
        }
        var style = decoration?.Style ?? (statistics.Key.ConnectionType == ConnectionType.MessagingSystem ? "dashed" : null);
        if (style is not null)
        {
            dot.Append(", style=").Append(DotText.Quote(style));
        }
        dot.Append("];\n");
    }

    // Log scale: a 10,000-call edge is visibly heavier than a 10-call one without swamping the picture.
    private static double PenWidth(long calls, long maxCalls) =>
        maxCalls <= 1 ? 1 : 1 + (4 * Math.Log10(1 + calls) / Math.Log10(1 + maxCalls));

    // Graphviz has no person shape; the small circle reads as the head of an actor figure.
    private static string Shape(NodeType type) => type switch
    {
        NodeType.Database => "shape=cylinder",
        NodeType.Broker => "shape=hexagon",
        NodeType.External => "shape=ellipse",
        NodeType.User => "shape=circle, width=0.6, fixedsize=false",
        _ => "shape=box",
    };

    private static string? HealthFill(NodeHealth? health) => health switch
    {
        NodeHealth.Healthy => "#d9f2d9",
        NodeHealth.Degraded => "#fff0c2",
        NodeHealth.Failing => "#f8c9c9",
        _ => null,
    };
}
