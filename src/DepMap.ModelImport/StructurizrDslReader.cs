using System.Text;
using DepMap.Core.Conformance;

namespace DepMap.ModelImport;

/// <summary>
/// The Structurizr DSL, as far as a model needs it: <c>person</c>, <c>softwareSystem</c>,
/// <c>container</c>, <c>component</c> (and <c>group</c>, <c>enterprise</c>) with their
/// <c>properties</c>, and relationships <c>a -> b "description" "technology"</c>, also implicit
/// (<c>-> b</c> inside an element) and with <c>this</c>. Views, styles, deployment and the other
/// blocks are skipped. Elements map as in <see cref="StructurizrJsonReader"/>. <c>!include</c> is
/// refused: the file alone is not the model.
/// </summary>
internal static class StructurizrDslReader
{
    private static readonly string[] ElementKeywords = ["person", "softwaresystem", "container", "component", "element"];
    private static readonly string[] SkippedBlocks =
        ["views", "styles", "configuration", "branding", "terminology", "deploymentenvironment", "perspectives", "users", "!docs", "!adrs", "documentation"];

    private sealed class Element(string kind, string name, Element? parent)
    {
        public string Kind { get; } = kind;
        public string Name { get; } = name;
        public Element? Parent { get; } = parent;
        public string? Technology { get; set; }
        public string? Tags { get; set; }
        public Dictionary<string, string> Properties { get; } = new(StringComparer.Ordinal);
        public bool HasContainers { get; set; }
    }

    private sealed record Frame(string Kind, Element? Element);

    public static ArchitectureModel Read(string text)
    {
        var ids = new Dictionary<string, Element>(StringComparer.OrdinalIgnoreCase);
        var elements = new List<Element>();
        var relationships = new List<(string From, string To, string? Description, int Line, Element? Self)>();
        var stack = new Stack<Frame>();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var inComment = false;
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n].Trim();
            var at = $"line {n + 1}";
            if (inComment)
            {
                inComment = !line.Contains("*/", StringComparison.Ordinal);
                continue;
            }
            if (line.StartsWith("/*", StringComparison.Ordinal))
            {
                inComment = !line.Contains("*/", StringComparison.Ordinal);
                continue;
            }
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }
            var tokens = Tokens(line, at);
            var opens = tokens[^1] == "{";
            var words = opens ? tokens[..^1] : tokens;
            var frame = stack.Count == 0 ? null : stack.Peek();
            if (tokens is ["}"])
            {
                if (stack.Count == 0)
                {
                    throw new ModelFormatException($"Structurizr DSL {at}: '}}' closes nothing");
                }
                stack.Pop();
                continue;
            }
            if (frame?.Kind == "skip")
            {
                if (opens)
                {
                    stack.Push(new Frame("skip", null));
                }
                continue;
            }
            if (frame?.Kind == "properties")
            {
                if (words.Count >= 2 && frame.Element is { } owner)
                {
                    owner.Properties[Unquote(words[0])] = Unquote(words[1]);
                }
                continue;
            }
            var first = words.Count == 0 ? "" : words[0].ToLowerInvariant();
            if (first == "!include")
            {
                throw new ModelFormatException($"Structurizr DSL {at}: !include is not supported; give one file holding the whole model");
            }
            if (first.StartsWith('!'))
            {
                if (opens)
                {
                    stack.Push(new Frame("skip", null));
                }
                continue;
            }
            var element = stack.Select(f => f.Element).FirstOrDefault(e => e is not null);
            if (first == "workspace" || first == "model" || first == "group" || first == "enterprise")
            {
                if (words.Count > 1 && first == "workspace" && words[1].Equals("extends", StringComparison.OrdinalIgnoreCase))
                {
                    throw new ModelFormatException($"Structurizr DSL {at}: 'workspace extends' is not supported; give one file holding the whole model");
                }
                if (opens)
                {
                    stack.Push(new Frame(first, element));
                }
                continue;
            }
            if (first == "properties")
            {
                stack.Push(new Frame(opens ? "properties" : "skip", element));
                continue;
            }
            if (SkippedBlocks.Contains(first))
            {
                if (opens)
                {
                    stack.Push(new Frame("skip", null));
                }
                continue;
            }
            if ((first == "technology" || first == "tags") && element is not null && words.Count >= 2)
            {
                if (first == "technology")
                {
                    element.Technology = Unquote(words[1]);
                }
                else
                {
                    element.Tags = Unquote(words[1]);
                }
                continue;
            }
            var assigned = words.Count >= 2 && words[1] == "=" ? words[0] : null;
            var statement = assigned is null ? words : words[2..];
            var arrow = statement.IndexOf("->");
            if (arrow >= 0)
            {
                var from = arrow == 0 ? "this" : statement[0];
                var to = statement.Count > arrow + 1 ? statement[arrow + 1] : throw new ModelFormatException($"Structurizr DSL {at}: '->' without a destination");
                var description = statement.Count > arrow + 2 ? Unquote(statement[arrow + 2]) : null;
                relationships.Add((from, to, description, n + 1, element));
                if (opens)
                {
                    stack.Push(new Frame("skip", null));
                }
                continue;
            }
            var keyword = statement.Count == 0 ? "" : statement[0].ToLowerInvariant();
            if (ElementKeywords.Contains(keyword))
            {
                if (statement.Count < 2 || !IsQuoted(statement[1]) && keyword != "element")
                {
                    throw new ModelFormatException($"Structurizr DSL {at}: {statement[0]} needs a name in quotes");
                }
                var created = new Element(keyword, Unquote(statement[1]), element);
                // person and softwareSystem: name, description, tags; container and component: name, description, technology, tags.
                if (keyword is "container" or "component")
                {
                    created.Technology = statement.Count > 3 ? Unquote(statement[3]) : null;
                    created.Tags = statement.Count > 4 ? Unquote(statement[4]) : null;
                }
                else
                {
                    created.Tags = statement.Count > 3 ? Unquote(statement[3]) : null;
                }
                if (keyword == "container" && element is not null)
                {
                    element.HasContainers = true;
                }
                elements.Add(created);
                if (assigned is not null)
                {
                    ids[assigned] = created;
                    var parentId = ids.FirstOrDefault(p => ReferenceEquals(p.Value, element)).Key;
                    if (parentId is not null)
                    {
                        ids.TryAdd($"{parentId}.{assigned}", created);
                    }
                }
                if (opens)
                {
                    stack.Push(new Frame("element", created));
                }
                continue;
            }
            if (opens)
            {
                stack.Push(new Frame("skip", null));
            }
        }
        if (stack.Count > 0)
        {
            throw new ModelFormatException($"Structurizr DSL: {stack.Count} block(s) not closed with '}}' at the end of the file");
        }
        if (elements.Count == 0)
        {
            throw new ModelFormatException("Structurizr DSL: the model declares no person, softwareSystem or container");
        }

        var refs = new Dictionary<Element, string?>();
        var entities = new List<DeclaredEntity>();
        foreach (var element in elements)
        {
            switch (element.Kind)
            {
                case "person":
                    var person = new DeclaredEntity($"person:{element.Name}", "person", element.Name, IsActor: true);
                    entities.Add(person);
                    refs[element] = person.Ref;
                    break;
                case "softwaresystem":
                case "element":
                    refs[element] = element.HasContainers ? null : Add(entities, element, $"softwaresystem:{element.Name}", "softwaresystem", null);
                    break;
                case "container":
                    refs[element] = Add(entities, element, $"container:{element.Parent?.Name}/{element.Name}", "container", element.Parent?.Name);
                    break;
            }
        }
        foreach (var element in elements.Where(e => e.Kind == "component"))
        {
            refs[element] = element.Parent is { } container ? refs.GetValueOrDefault(container) : null;
        }
        var dependencies = new List<DeclaredDependency>();
        foreach (var (fromId, toId, description, line, self) in relationships)
        {
            var from = Resolve(fromId, self, ids, line);
            var to = Resolve(toId, self, ids, line);
            if (refs.GetValueOrDefault(from) is { } fromRef && refs.GetValueOrDefault(to) is { } toRef
                && !string.Equals(fromRef, toRef, StringComparison.OrdinalIgnoreCase))
            {
                dependencies.Add(new DeclaredDependency(fromRef, toRef, description));
            }
        }
        return new ArchitectureModel("structurizr-dsl", entities, dependencies);
    }

    private static string Add(List<DeclaredEntity> entities, Element element, string entityRef, string kind, string? ns)
    {
        var tag = element.Tags?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        entities.Add(new DeclaredEntity(entityRef, kind, element.Name, ns, element.Technology ?? tag, element.Properties.GetValueOrDefault("depmap.io/layer"))
        {
            Aliases = element.Properties.GetValueOrDefault(ModelExport.ServiceNameAnnotation)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [],
        });
        return entityRef;
    }

    private static Element Resolve(string id, Element? self, Dictionary<string, Element> ids, int line) =>
        id.Equals("this", StringComparison.OrdinalIgnoreCase)
            ? self ?? throw new ModelFormatException($"Structurizr DSL line {line}: 'this' outside an element")
            : ids.GetValueOrDefault(id) ?? throw new ModelFormatException($"Structurizr DSL line {line}: no element with identifier '{id}'");

    private static bool IsQuoted(string token) => token.Length >= 2 && token[0] == '"';

    private static string Unquote(string token) => IsQuoted(token) ? token[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal) : token;

    // Words, quoted strings (kept with their quotes so a quoted "->" is text), braces and '='.
    private static List<string> Tokens(string line, string at)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < line.Length)
        {
            var c = line[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '"')
            {
                var token = new StringBuilder("\"");
                i++;
                while (i < line.Length && line[i] != '"')
                {
                    if (line[i] == '\\' && i + 1 < line.Length)
                    {
                        token.Append(line[i]);
                        i++;
                    }
                    token.Append(line[i]);
                    i++;
                }
                if (i >= line.Length)
                {
                    throw new ModelFormatException($"Structurizr DSL {at}: a string is not closed with '\"'");
                }
                i++;
                tokens.Add(token.Append('"').ToString());
            }
            else if (c is '{' or '}' or '=')
            {
                tokens.Add(c.ToString());
                i++;
            }
            else
            {
                var start = i;
                while (i < line.Length && !char.IsWhiteSpace(line[i]) && line[i] is not ('{' or '}' or '"' or '='))
                {
                    i++;
                }
                tokens.Add(line[start..i]);
            }
        }
        return tokens;
    }
}
