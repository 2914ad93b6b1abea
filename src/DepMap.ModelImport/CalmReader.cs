using System.Text.Json;
using DepMap.Core.Conformance;

namespace DepMap.ModelImport;

/// <summary>
/// A FINOS CALM architecture: <c>nodes</c> (known by <c>unique-id</c>, then <c>name</c>) and
/// <c>relationships</c>. <c>connects</c> (source to destination node) and <c>interacts</c> (actor to
/// each of its nodes) declare dependencies; a node that <c>composed-of</c> makes a container of is
/// a group and names its members' namespace; <c>deployed-in</c> is deployment, not calls. Actor
/// nodes map to the entry node; network and ecosystem nodes are infrastructure nothing calls.
/// </summary>
internal static class CalmReader
{
    public static ArchitectureModel Read(JsonElement root)
    {
        var nodes = Json.Items(root, "nodes", "$").ToList();
        var relationships = Json.Items(root, "relationships", "$").ToList();
        var groups = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (relationship, path) in relationships)
        {
            if (Json.Object(RelationshipType(relationship, path), "composed-of", $"{path}.relationship-type") is { } composed)
            {
                var container = Json.RequiredText(composed, "container", $"{path}.relationship-type.composed-of");
                foreach (var member in Strings(composed, "nodes", $"{path}.relationship-type.composed-of"))
                {
                    groups[member] = container;
                }
                groups.TryAdd("\0" + container, container);
            }
        }

        var entities = new List<DeclaredEntity>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (node, path) in nodes)
        {
            var id = Json.RequiredText(node, "unique-id", path);
            ids.Add(id);
            var type = Json.Text(node, "node-type", path);
            if (groups.ContainsKey("\0" + id) || type is "network" or "ecosystem")
            {
                continue;
            }
            entities.Add(new DeclaredEntity($"node:{id}", "node", id, groups.GetValueOrDefault(id), type, Metadata(node, "depmap.io/layer", path), IsActor: type == "actor")
            {
                Title = Json.Text(node, "name", path),
                Aliases = Metadata(node, ModelExport.ServiceNameAnnotation, path)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [],
            });
        }

        var dependencies = new List<DeclaredDependency>();
        foreach (var (relationship, path) in relationships)
        {
            var kind = RelationshipType(relationship, path);
            var id = Json.Text(relationship, "unique-id", path);
            var at = $"{path}.relationship-type";
            if (Json.Object(kind, "connects", at) is { } connects)
            {
                var source = Json.Object(connects, "source", $"{at}.connects") ?? throw new ModelFormatException($"{at}.connects.source is required");
                var destination = Json.Object(connects, "destination", $"{at}.connects") ?? throw new ModelFormatException($"{at}.connects.destination is required");
                dependencies.Add(Dependency(ids, Json.RequiredText(source, "node", $"{at}.connects.source"), Json.RequiredText(destination, "node", $"{at}.connects.destination"), id, at));
            }
            else if (Json.Object(kind, "interacts", at) is { } interacts)
            {
                var actor = Json.RequiredText(interacts, "actor", $"{at}.interacts");
                dependencies.AddRange(Strings(interacts, "nodes", $"{at}.interacts").Select(node => Dependency(ids, actor, node, id, at)));
            }
        }
        return new ArchitectureModel("calm", entities, dependencies);
    }

    private static JsonElement RelationshipType(JsonElement relationship, string path) =>
        Json.Object(relationship, "relationship-type", path) ?? throw new ModelFormatException($"{path}.relationship-type is required");

    private static DeclaredDependency Dependency(HashSet<string> ids, string from, string to, string? id, string path) =>
        !ids.Contains(from) ? throw new ModelFormatException($"{path}: node '{from}' is not in nodes")
        : !ids.Contains(to) ? throw new ModelFormatException($"{path}: node '{to}' is not in nodes")
        : new DeclaredDependency($"node:{from}", $"node:{to}", id);

    private static List<string> Strings(JsonElement element, string property, string path)
    {
        if (!element.TryGetProperty(property, out var value) || value.ValueKind != JsonValueKind.Array)
        {
            throw new ModelFormatException($"{path}.{property} must be an array of node ids");
        }
        return [.. value.EnumerateArray().Select((v, i) => v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new ModelFormatException($"{path}.{property}[{i}] must be a string"))];
    }

    // CALM metadata is an object, or an array of objects.
    private static string? Metadata(JsonElement node, string key, string path)
    {
        if (!node.TryGetProperty("metadata", out var metadata))
        {
            return null;
        }
        var objects = metadata.ValueKind == JsonValueKind.Array ? metadata.EnumerateArray().ToList() : [metadata];
        return objects.Where(o => o.ValueKind == JsonValueKind.Object).Select(o => Json.Text(o, key, $"{path}.metadata")).FirstOrDefault(v => v is not null);
    }
}
