using System.Globalization;
using System.Text;
using DepMap.Core.Graph;
using DepMap.Core.Statistics;
using DepMap.Core.Writers;

namespace DepMap.Core.Conformance;

/// <summary>
/// The observed graph in conformance colours, through <see cref="DotWriter"/>: undeclared edges
/// and unknown services red, edges that break a rule bold with the rule's name, declared edges
/// unused in the window added dashed grey; everything else grey, so colour means a finding only
/// (the usual error-red and cycle-purple would read as findings).
/// </summary>
public static class ConformanceDotWriter
{
    public const string UndeclaredColor = "#d62728";
    public const string UnusedColor = "#999999";
    public const string ViolationColor = "#7b3fa0";
    private const string ConformingColor = "#555555";

    public static string Write(ServiceGraph graph, ConformanceReport report, DotWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(report);
        var undeclared = report.UndeclaredEdges.Select(e => e.Key).ToHashSet();
        var unknown = report.UnknownServices.Select(s => s.Node.Name).ToHashSet(StringComparer.Ordinal);
        var rulesOf = new Dictionary<EdgeKey, List<string>>();
        foreach (var violation in report.Violations)
        {
            foreach (var edge in violation.Edges)
            {
                if (!rulesOf.TryGetValue(edge.Key, out var rules))
                {
                    rulesOf[edge.Key] = rules = [];
                }
                if (!rules.Contains(violation.Rule, StringComparer.Ordinal))
                {
                    rules.Add(violation.Rule);
                }
            }
        }
        options ??= DotWriterOptions.Default;
        var dot = DotWriter.Write(graph, options with
        {
            Caption = options.Caption ?? Caption(report),
            NodeDecoration = node => unknown.Contains(node.Name)
                ? new DotDecoration(Color: UndeclaredColor, FillColor: "#fbe0e0", ExtraLabel: "undeclared")
                : new DotDecoration(Color: ConformingColor),
            EdgeDecoration = edge =>
            {
                var isUndeclared = undeclared.Contains(edge.Key);
                var rules = rulesOf.GetValueOrDefault(edge.Key);
                var labels = new List<string>();
                if (isUndeclared)
                {
                    labels.Add("undeclared");
                }
                if (rules is not null)
                {
                    labels.AddRange(rules);
                }
                return new DotDecoration(
                    Color: isUndeclared ? UndeclaredColor : rules is not null ? ViolationColor : ConformingColor,
                    Style: rules is not null ? "bold" : null,
                    ExtraLabel: labels.Count == 0 ? null : string.Join(", ", labels));
            },
        });
        if (report.UnusedEdges.Count == 0)
        {
            return dot;
        }
        // DotWriter names nodes n0… in the graph's name order; declared edges have no statistics to draw through it.
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < graph.Nodes.Count; i++)
        {
            ids[graph.Nodes[i].Name] = "n" + i.ToString(CultureInfo.InvariantCulture);
        }
        var extra = new StringBuilder();
        foreach (var unused in report.UnusedEdges)
        {
            foreach (var caller in unused.CallerServices)
            {
                foreach (var callee in unused.CalleeServices)
                {
                    if (ids.TryGetValue(caller, out var from) && ids.TryGetValue(callee, out var to))
                    {
                        extra.Append("  ").Append(from).Append(" -> ").Append(to)
                            .Append(" [label=\"declared, unused\", style=\"dashed\", color=").Append(DotText.Quote(UnusedColor))
                            .Append(", fontcolor=").Append(DotText.Quote(UnusedColor)).Append("];\n");
                    }
                }
            }
        }
        return dot[..dot.LastIndexOf('}')] + extra + "}\n";
    }

    private static string Caption(ConformanceReport report) =>
        $"conformance: {report.UndeclaredEdges.Count} undeclared, {report.UnusedEdges.Count} unused, "
        + $"{report.UnknownServices.Count} unknown services, {report.UnmappedEntities.Count} unmapped entities, {report.Violations.Count} violations "
        + "(red undeclared, grey dashed unused, bold violation)";
}
