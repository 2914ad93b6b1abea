using System.Globalization;
using System.Text;
using DepMap.Core.Graph;
using DepMap.Core.Linking;

namespace DepMap.Core.Writers;

/// <summary>
/// Writes a <see cref="ServiceGraph"/> as a Mermaid <c>flowchart LR</c>, which GitHub renders in
/// markdown. Ids are <c>n0…</c> in name order; labels go through <see cref="MermaidText"/>; shapes
/// follow node types (cylinder database, hexagon broker, stadium external, circle user); namespaces
/// become subgraphs; health and external nodes get classes.
/// </summary>
public static class MermaidWriter
{
    public static string Write(ServiceGraph graph, int maxLabelLength = 80)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var ids = new Dictionary<GraphNode, string>();
        for (var i = 0; i < graph.Nodes.Count; i++)
        {
            ids[graph.Nodes[i]] = "n" + i.ToString(CultureInfo.InvariantCulture);
        }
        var text = new StringBuilder("flowchart LR\n");
        var byNamespace = graph.Nodes
            .Where(n => n.Namespace is not null)
            .GroupBy(n => n.Namespace!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        for (var c = 0; c < byNamespace.Count; c++)
        {
            text.Append("  subgraph ns").Append(c.ToString(CultureInfo.InvariantCulture))
                .Append(" [").Append(MermaidText.Quote(GraphText.Truncate(byNamespace[c].Key, maxLabelLength))).Append("]\n");
            foreach (var node in byNamespace[c])
            {
                AppendNode(text, "    ", ids[node], node, maxLabelLength);
            }
            text.Append("  end\n");
        }
        foreach (var node in graph.Nodes.Where(n => n.Namespace is null))
        {
            AppendNode(text, "  ", ids[node], node, maxLabelLength);
        }
        foreach (var edge in graph.Edges)
        {
            var arrow = edge.Key.ConnectionType == ConnectionType.MessagingSystem ? "-.->" : "-->";
            text.Append("  ").Append(ids[edge.Source]).Append(' ').Append(arrow)
                .Append('|').Append(MermaidText.Quote(GraphText.EdgeSummary(edge.Statistics, ", "))).Append("| ")
                .Append(ids[edge.Target]).Append('\n');
        }
        AppendClasses(text, graph, ids);
        return text.ToString();
    }

    private static void AppendNode(StringBuilder text, string indent, string id, GraphNode node, int maxLabelLength)
    {
        var label = MermaidText.Quote(GraphText.Truncate(node.Name, maxLabelLength));
        var (open, close) = node.Type switch
        {
            NodeType.Database => ("[(", ")]"),
            NodeType.Broker => ("{{", "}}"),
            NodeType.External => ("([", "])"),
            NodeType.User => ("((", "))"),
            _ => ("[", "]"),
        };
        text.Append(indent).Append(id).Append(open).Append(label).Append(close).Append('\n');
    }

    private static void AppendClasses(StringBuilder text, ServiceGraph graph, Dictionary<GraphNode, string> ids)
    {
        (string Class, string Style, Func<GraphNode, bool> Applies)[] classes =
        [
            ("external", "stroke-dasharray: 5 5", n => n.Type == NodeType.External),
            ("healthy", "fill:#d9f2d9", n => n.Health == NodeHealth.Healthy),
            ("degraded", "fill:#fff0c2", n => n.Health == NodeHealth.Degraded),
            ("failing", "fill:#f8c9c9", n => n.Health == NodeHealth.Failing),
        ];
        foreach (var (name, style, applies) in classes)
        {
            var members = graph.Nodes.Where(applies).Select(n => ids[n]).ToList();
            if (members.Count > 0)
            {
                text.Append("  classDef ").Append(name).Append(' ').Append(style).Append('\n');
                text.Append("  class ").Append(string.Join(",", members)).Append(' ').Append(name).Append('\n');
            }
        }
    }
}
