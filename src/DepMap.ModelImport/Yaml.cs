using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace DepMap.ModelImport;

/// <summary>
/// Reading YAML (and JSON, which YAML reads too) as a tree, with errors that name the field's path
/// and line. Scalars are read as text: Backstage and the rules file hold strings, numbers and booleans only.
/// The tree is built from YamlDotNet's parser events, not its YamlStream: the representation model
/// keeps tags, anchors and a node-keyed dictionary per mapping that these readers never use, and
/// cost most of a large catalog's read (docs/benchmarks.md, Conformance).
/// </summary>
internal static class Yaml
{
    public static List<YamlDocument> Load(ReadOnlySpan<byte> utf8, string what) => Load(Encoding.UTF8.GetString(utf8), what);

    public static List<YamlDocument> Load(string text, string what)
    {
        var parser = new Parser(new StringReader(text));
        var documents = new List<YamlDocument>();
        var anchors = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        try
        {
            parser.Consume<StreamStart>();
            while (parser.TryConsume<DocumentStart>(out _))
            {
                anchors.Clear();
                documents.Add(new YamlDocument(Node(parser, anchors, what)));
                parser.Consume<DocumentEnd>();
            }
            parser.Consume<StreamEnd>();
        }
        catch (YamlException e)
        {
            throw new ModelFormatException($"{what}: not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {Reason(e)}", e);
        }
        return documents;
    }

    private static ModelFormatException Invalid(string what, Mark at, string reason) =>
        new($"{what}: not valid YAML at line {at.Line}, column {at.Column}: {reason}");

    private static YamlNode Node(IParser parser, Dictionary<string, YamlNode> anchors, string what)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            return anchors.TryGetValue(alias.Value.Value, out var target)
                ? target
                : throw Invalid(what, alias.Start, $"alias *{alias.Value.Value} names no anchor before it");
        }
        YamlNode node;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            node = new YamlScalarNode(scalar.Value, scalar.Start);
            Remember(scalar, node, anchors);
            return node;
        }
        if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            var sequence = new YamlSequenceNode(sequenceStart.Start);
            Remember(sequenceStart, sequence, anchors);
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                sequence.Children.Add(Node(parser, anchors, what));
            }
            return sequence;
        }
        var mappingStart = parser.Consume<MappingStart>();
        var mapping = new YamlMappingNode(mappingStart.Start);
        Remember(mappingStart, mapping, anchors);
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var key = Node(parser, anchors, what);
            var value = Node(parser, anchors, what);
            // YamlStream refuses a repeated key too: the second value would silently win otherwise.
            if (key is YamlScalarNode { Value: { } name } && !mapping.ByKey.TryAdd(name, value))
            {
                throw Invalid(what, key.Start, $"duplicate key '{name}'");
            }
            mapping.Children.Add(new KeyValuePair<YamlNode, YamlNode>(key, value));
        }
        return mapping;
    }

    private static void Remember(NodeEvent node, YamlNode built, Dictionary<string, YamlNode> anchors)
    {
        if (!node.Anchor.IsEmpty)
        {
            anchors[node.Anchor.Value] = built;
        }
    }

    public static YamlMappingNode? Map(YamlNode? node, string path) => node switch
    {
        null => null,
        YamlScalarNode { Value: null or "" or "~" or "null" } => null,
        YamlMappingNode map => map,
        _ => throw Wrong(node, path, "a mapping"),
    };

    public static YamlNode? Get(YamlMappingNode? map, string key) =>
        map is not null && map.ByKey.TryGetValue(key, out var value) ? value : null;

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
        foreach (var (key, _) in map.Children)
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

/// <summary>One YAML document of a stream.</summary>
internal sealed class YamlDocument(YamlNode rootNode)
{
    public YamlNode RootNode { get; } = rootNode;
}

/// <summary>A node of the tree <see cref="Yaml.Load(string, string)"/> builds: where it starts, for messages.</summary>
internal abstract class YamlNode(Mark start)
{
    public Mark Start { get; } = start;
}

internal sealed class YamlScalarNode(string? value, Mark start) : YamlNode(start)
{
    public string? Value { get; } = value;
}

internal sealed class YamlSequenceNode(Mark start) : YamlNode(start)
{
    public List<YamlNode> Children { get; } = [];
}

internal sealed class YamlMappingNode(Mark start) : YamlNode(start)
{
    /// <summary>In the file's order, for messages and for keys that are not plain strings.</summary>
    public List<KeyValuePair<YamlNode, YamlNode>> Children { get; } = [];

    public Dictionary<string, YamlNode> ByKey { get; } = new(StringComparer.Ordinal);
}
