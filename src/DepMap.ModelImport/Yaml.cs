using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DepMap.ModelImport;

/// <summary>
/// Reading YAML (and JSON, which YAML reads too) as a tree, with errors that name the field's path
/// and line. Scalars are read as text: Backstage and the rules file hold strings, numbers and booleans only.
/// </summary>
internal static class Yaml
{
    public static List<YamlDocument> Load(ReadOnlySpan<byte> utf8, string what)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(Encoding.UTF8.GetString(utf8)));
        }
        catch (YamlException e)
        {
            throw new ModelFormatException($"{what}: not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {Reason(e)}", e);
        }
        return [.. stream.Documents];
    }

    public static YamlMappingNode? Map(YamlNode? node, string path) => node switch
    {
        null => null,
        YamlScalarNode { Value: null or "" or "~" or "null" } => null,
        YamlMappingNode map => map,
        _ => throw Wrong(node, path, "a mapping"),
    };

    public static YamlNode? Get(YamlMappingNode? map, string key) =>
        map is not null && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public static string? Text(YamlMappingNode? map, string key, string path)
    {
        var node = Get(map, key);
        return node switch
        {
            null => null,
            YamlScalarNode { Value: null or "" or "~" } => null,
            YamlScalarNode scalar => scalar.Value,
            _ => throw Wrong(node, $"{path}.{key}", "a string"),
        };
    }

    public static string RequiredText(YamlMappingNode map, string key, string path) =>
        Text(map, key, path) ?? throw new ModelFormatException($"{path}.{key} is required (line {map.Start.Line})");

    /// <summary>A sequence of strings; a single string is taken as a one-item list.</summary>
    public static List<(string Value, string Path)> Texts(YamlMappingNode? map, string key, string path)
    {
        var node = Get(map, key);
        var at = $"{path}.{key}";
        switch (node)
        {
            case null:
            case YamlScalarNode { Value: null or "" or "~" }:
                return [];
            case YamlScalarNode scalar:
                return [(scalar.Value!, at)];
            case YamlSequenceNode sequence:
                var result = new List<(string, string)>();
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    result.Add(sequence.Children[i] is YamlScalarNode { Value: { Length: > 0 } value }
                        ? (value, $"{at}[{i}]")
                        : throw Wrong(sequence.Children[i], $"{at}[{i}]", "a string"));
                }
                return result;
            default:
                throw Wrong(node, at, "a list of strings");
        }
    }

    public static List<YamlNode> Items(YamlNode? node, string path) => node switch
    {
        null => [],
        YamlScalarNode { Value: null or "" or "~" } => [],
        YamlSequenceNode sequence => [.. sequence.Children],
        _ => throw Wrong(node, path, "a list"),
    };

    public static void OnlyKeys(YamlMappingNode map, string path, params string[] known)
    {
        foreach (var key in map.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                throw new ModelFormatException($"{path}: unknown field '{name}' (line {key.Start.Line}); known: {string.Join(", ", known)}");
            }
        }
    }

    public static ModelFormatException Wrong(YamlNode node, string path, string expected) =>
        new($"{path} must be {expected} (line {node.Start.Line})");

    private static string Reason(YamlException e) => e.InnerException?.Message ?? e.Message;
}
