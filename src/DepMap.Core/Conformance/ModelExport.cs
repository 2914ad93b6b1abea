using System.Globalization;
using System.Text;
using DepMap.Core.Graph;
using DepMap.Core.Linking;

namespace DepMap.Core.Conformance;

/// <summary>
/// The observed graph written as a declared model, so a team can seed its catalog from what runs:
/// Backstage entities (services and peers as Components, databases and brokers as Resources, each
/// with <c>dependsOn</c>; a <c>service.namespace</c> becomes a System) and a Structurizr DSL
/// workspace. Names Backstage would refuse are made valid and the observed name kept in the
/// <c>depmap.io/service-name</c> annotation (property in Structurizr), so re-importing the file maps
/// every entity back to its service. The entry node is left out: it is who calls, not what runs.
/// </summary>
public static class ModelExport
{
    public const string ServiceNameAnnotation = "depmap.io/service-name";

    public static string BackstageYaml(ServiceGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var nodes = graph.Nodes.Where(n => n.Type != NodeType.User).ToList();
        var names = UniqueNames(nodes.Select(n => n.Name), BackstageName);
        var yaml = new StringBuilder();
        yaml.Append("# The observed service graph as Backstage entities, written by DepMap (GET /graph.backstage.yaml).\n");
        foreach (var ns in nodes.Select(n => n.Namespace).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            yaml.Append("---\napiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: ").Append(Quote(BackstageName(ns))).Append('\n');
            yaml.Append("spec:\n  owner: \"unknown\"\n");
        }
        foreach (var node in nodes)
        {
            var isResource = node.Type is NodeType.Database or NodeType.Broker;
            yaml.Append("---\napiVersion: backstage.io/v1alpha1\nkind: ").Append(isResource ? "Resource" : "Component").Append('\n');
            yaml.Append("metadata:\n  name: ").Append(Quote(names[node.Name])).Append('\n');
            if (names[node.Name] != node.Name)
            {
                yaml.Append("  annotations:\n    ").Append(ServiceNameAnnotation).Append(": ").Append(Quote(node.Name)).Append('\n');
            }
            yaml.Append("spec:\n  type: ").Append(Quote(BackstageType(node.Type))).Append('\n');
            if (!isResource)
            {
                yaml.Append("  lifecycle: \"production\"\n");
            }
            yaml.Append("  owner: \"unknown\"\n");
            if (node.Namespace is { } ns)
            {
                yaml.Append("  system: ").Append(Quote(BackstageName(ns))).Append('\n');
            }
            var callees = graph.Graph.OutEdges(node).Select(e => e.Target).Where(t => t.Type != NodeType.User)
                .Distinct().OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
            if (callees.Count > 0)
            {
                yaml.Append("  dependsOn:\n");
                foreach (var callee in callees)
                {
                    var kind = callee.Type is NodeType.Database or NodeType.Broker ? "resource" : "component";
                    yaml.Append("    - ").Append(Quote($"{kind}:default/{names[callee.Name]}")).Append('\n');
                }
            }
        }
        return yaml.ToString();
    }

    public static string StructurizrDsl(ServiceGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var nodes = graph.Nodes.Where(n => n.Type != NodeType.User).ToList();
        var ids = new Dictionary<GraphNode, string>();
        for (var i = 0; i < nodes.Count; i++)
        {
            ids[nodes[i]] = "e" + i.ToString(CultureInfo.InvariantCulture);
        }
        var dsl = new StringBuilder();
        dsl.Append("workspace \"Observed services\" \"The observed service graph, written by DepMap (GET /graph.dsl)\" {\n\n    model {\n");
        var grouped = nodes.GroupBy(n => n.Namespace, StringComparer.Ordinal).OrderBy(g => g.Key ?? "", StringComparer.Ordinal).ToList();
        var groupIndex = 0;
        foreach (var group in grouped)
        {
            if (group.Key is null)
            {
                foreach (var node in group)
                {
                    AppendElement(dsl, "        ", ids[node], "softwareSystem", node);
                }
                continue;
            }
            dsl.Append("        g").Append(groupIndex++.ToString(CultureInfo.InvariantCulture)).Append(" = softwareSystem ").Append(DslQuote(group.Key)).Append(" {\n");
            foreach (var node in group)
            {
                AppendElement(dsl, "            ", ids[node], "container", node);
            }
            dsl.Append("        }\n");
        }
        foreach (var edge in graph.Edges.Where(e => ids.ContainsKey(e.Source) && ids.ContainsKey(e.Target)))
        {
            var technology = Writers.GraphText.ConnectionWord(edge.Key.ConnectionType);
            dsl.Append("        ").Append(ids[edge.Source]).Append(" -> ").Append(ids[edge.Target]).Append(" \"calls\"");
            if (technology.Length > 0)
            {
                dsl.Append(' ').Append(DslQuote(technology));
            }
            dsl.Append('\n');
        }
        dsl.Append("    }\n\n    views {\n        systemLandscape \"observed\" {\n            include *\n            autoLayout lr\n        }\n    }\n}\n");
        return dsl.ToString();
    }

    private static void AppendElement(StringBuilder dsl, string indent, string id, string keyword, GraphNode node)
    {
        dsl.Append(indent).Append(id).Append(" = ").Append(keyword).Append(' ').Append(DslQuote(node.Name)).Append(" \"\"");
        // A container's third field is its technology, a software system's its tags.
        dsl.Append(' ').Append(DslQuote(keyword == "container" ? Writers.GraphText.NodeWord(node.Type) : Tag(node.Type)));
        if (keyword == "container")
        {
            dsl.Append(' ').Append(DslQuote(Tag(node.Type)));
        }
        dsl.Append(" {\n").Append(indent).Append("    properties {\n")
            .Append(indent).Append("        ").Append(DslQuote(ServiceNameAnnotation)).Append(' ').Append(DslQuote(node.Name)).Append('\n')
            .Append(indent).Append("    }\n").Append(indent).Append("}\n");
    }

    private static string Tag(NodeType type) => type switch
    {
        NodeType.Database => "Database",
        NodeType.Broker => "Queue",
        NodeType.External => "External",
        _ => "Service",
    };

    private static string BackstageType(NodeType type) => type switch
    {
        NodeType.Database => "database",
        NodeType.Broker => "message-broker",
        NodeType.External => "external",
        _ => "service",
    };

    /// <summary>Backstage names: 1 to 63 of <c>[A-Za-z0-9-_.]</c>, starting and ending with a letter or digit.</summary>
    public static string BackstageName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray();
        var text = new string(chars).Trim('-', '_', '.');
        if (text.Length > 63)
        {
            text = text[..63].TrimEnd('-', '_', '.');
        }
        return text.Length == 0 ? "unnamed" : text;
    }

    // Two names made equal by cleaning get -2, -3…: an entity per observed node, always.
    private static Dictionary<string, string> UniqueNames(IEnumerable<string> names, Func<string, string> clean)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in names)
        {
            var candidate = clean(name);
            for (var i = 2; !taken.Add(candidate); i++)
            {
                var suffix = "-" + i.ToString(CultureInfo.InvariantCulture);
                candidate = clean(name)[..Math.Min(clean(name).Length, 63 - suffix.Length)] + suffix;
            }
            result[name] = candidate;
        }
        return result;
    }

    private static string Quote(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in text)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }
        return quoted.Append('"').ToString();
    }

    // The DSL has no escapes beyond \" and \\; a line break would end the statement, so it becomes a space.
    private static string DslQuote(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace('\n', ' ').Replace('\r', ' ') + "\"";
}
