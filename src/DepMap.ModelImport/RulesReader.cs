using System.Globalization;
using System.Text.RegularExpressions;
using DepMap.Core.Conformance;

namespace DepMap.ModelImport;

/// <summary>
/// The rules file (YAML or JSON, docs/conformance.md): <c>forbidden</c> edges (<c>from</c>/<c>to</c>
/// selectors of <c>service</c>, <c>namespace</c>, <c>type</c>; a bare string is a service),
/// <c>layers</c> top first, <c>noCycles</c>, <c>maxFanOut</c>, <c>everyServiceDeclared</c> and
/// <c>minWindow</c>. Unknown fields are refused by name, so a typo never silently disables a rule.
/// </summary>
public static partial class RulesReader
{
    private static readonly string[] Fields = ["forbidden", "layers", "noCycles", "maxFanOut", "everyServiceDeclared", "minWindow"];

    public static ConformanceRules Read(ReadOnlySpan<byte> utf8, string name)
    {
        try
        {
            var documents = Yaml.Load(utf8, "rules");
            if (documents.Count == 0 || Yaml.Map(documents[0].RootNode, "rules") is not { } root)
            {
                return ConformanceRules.None;
            }
            Yaml.OnlyKeys(root, "rules", Fields);
            var forbidden = Yaml.Items(Yaml.Get(root, "forbidden"), "forbidden").Select((item, i) =>
            {
                var at = $"forbidden[{i}]";
                var map = Yaml.Map(item, at) ?? throw Yaml.Wrong(item, at, "a mapping with from and to");
                Yaml.OnlyKeys(map, at, "from", "to", "connection", "reason");
                var from = Selector(Yaml.Get(map, "from"), $"{at}.from");
                var to = Selector(Yaml.Get(map, "to"), $"{at}.to");
                if (from.IsEmpty && to.IsEmpty)
                {
                    throw new ModelFormatException($"{at}: give from or to (line {map.Start.Line}); a rule forbidding every call is a mistake");
                }
                return new ForbiddenEdgeRule(from, to, Yaml.Text(map, "connection", at), Yaml.Text(map, "reason", at));
            }).ToList();
            var layers = Yaml.Items(Yaml.Get(root, "layers"), "layers").Select((item, i) =>
            {
                var at = $"layers[{i}]";
                var map = Yaml.Map(item, at) ?? throw Yaml.Wrong(item, at, "a mapping with name and members");
                Yaml.OnlyKeys(map, at, "name", "members");
                var members = Yaml.Items(Yaml.Get(map, "members"), $"{at}.members").Select((m, j) => Selector(m, $"{at}.members[{j}]")).ToList();
                return new LayerRule(Yaml.RequiredText(map, "name", at), members);
            }).ToList();
            return new ConformanceRules
            {
                Forbidden = forbidden,
                Layers = layers,
                NoCycles = Bool(root, "noCycles"),
                MaxFanOut = Yaml.Text(root, "maxFanOut", "rules") is { } max
                    ? int.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out var m) && m >= 0 ? m
                        : throw new ModelFormatException($"maxFanOut: '{max}' is not a whole number of at least 0")
                    : null,
                EveryServiceDeclared = Bool(root, "everyServiceDeclared"),
                MinWindow = Yaml.Text(root, "minWindow", "rules") is { } window ? Duration(window, "minWindow") : ConformanceRules.DefaultMinWindow,
            };
        }
        catch (ModelFormatException e)
        {
            throw new ModelFormatException($"{name}: {e.Message}", e);
        }
    }

    private static NodeSelector Selector(YamlNode? node, string path)
    {
        if (node is YamlScalarNode { Value: { Length: > 0 } service })
        {
            return new NodeSelector(Service: service);
        }
        if (Yaml.Map(node, path) is not { } map)
        {
            return new NodeSelector();
        }
        Yaml.OnlyKeys(map, path, "service", "namespace", "type");
        return new NodeSelector(Yaml.Text(map, "service", path), Yaml.Text(map, "namespace", path), Yaml.Text(map, "type", path));
    }

    private static bool Bool(YamlMappingNode root, string key) => Yaml.Text(root, key, "rules") switch
    {
        null => false,
        "true" or "True" or "yes" => true,
        "false" or "False" or "no" => false,
        var other => throw new ModelFormatException($"{key}: '{other}' is not true or false"),
    };

    /// <summary>15m, 1h, 7d, 2w.</summary>
    public static TimeSpan Duration(string text, string field)
    {
        var match = DurationPattern().Match(text);
        if (!match.Success)
        {
            throw new ModelFormatException($"{field}: '{text}' is not a duration; use a whole number and m, h, d or w (1h, 7d)");
        }
        var amount = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "m" => TimeSpan.FromMinutes(amount),
            "h" => TimeSpan.FromHours(amount),
            "d" => TimeSpan.FromDays(amount),
            _ => TimeSpan.FromDays(7 * amount),
        };
    }

    [GeneratedRegex("^([0-9]{1,6})(m|h|d|w)$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();
}
