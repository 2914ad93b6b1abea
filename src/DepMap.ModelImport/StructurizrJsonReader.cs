using System.Text.Json;
using DepMap.Core.Conformance;

namespace DepMap.ModelImport;

/// <summary>
/// A Structurizr workspace as JSON (what the DSL, Lite and the cloud service export). Containers
/// are entities, namespaced by their software system; a software system without containers is an
/// entity itself; people are actors. Relationships are read from every element; a component's end
/// is its container. Implied relationships (<c>linkedRelationshipId</c>) and those ending at a
/// software system that has containers are skipped: they summarise container relationships that
/// are already there, and a system with containers is not one service.
/// </summary>
internal static class StructurizrJsonReader
{
    public static ArchitectureModel Read(JsonElement root)
    {
        var model = Json.Object(root, "model", "$") ?? throw new ModelFormatException("$.model is required in a Structurizr workspace");
        var entities = new List<DeclaredEntity>();
        var refOf = new Dictionary<string, string?>(StringComparer.Ordinal);
        var relationships = new List<(JsonElement Item, string Path)>();

        foreach (var (person, path) in Json.Items(model, "people", "$.model"))
        {
            var name = Json.RequiredText(person, "name", path);
            var entity = new DeclaredEntity($"person:{name}", "person", name, IsActor: true);
            entities.Add(entity);
            refOf[Json.RequiredText(person, "id", path)] = entity.Ref;
            relationships.AddRange(Json.Items(person, "relationships", path));
        }
        foreach (var (system, path) in Json.Items(model, "softwareSystems", "$.model"))
        {
            var systemName = Json.RequiredText(system, "name", path);
            var systemId = Json.RequiredText(system, "id", path);
            relationships.AddRange(Json.Items(system, "relationships", path));
            var containers = Json.Items(system, "containers", path).ToList();
            if (containers.Count == 0)
            {
                var entity = Entity(system, path, $"softwaresystem:{systemName}", "softwaresystem", systemName, null);
                entities.Add(entity);
                refOf[systemId] = entity.Ref;
                continue;
            }
            refOf[systemId] = null;
            foreach (var (container, containerPath) in containers)
            {
                var name = Json.RequiredText(container, "name", containerPath);
                var entity = Entity(container, containerPath, $"container:{systemName}/{name}", "container", name, systemName);
                entities.Add(entity);
                refOf[Json.RequiredText(container, "id", containerPath)] = entity.Ref;
                relationships.AddRange(Json.Items(container, "relationships", containerPath));
                foreach (var (component, componentPath) in Json.Items(container, "components", containerPath))
                {
                    refOf[Json.RequiredText(component, "id", componentPath)] = entity.Ref;
                    relationships.AddRange(Json.Items(component, "relationships", componentPath));
                }
            }
        }

        var dependencies = new List<DeclaredDependency>();
        foreach (var (relationship, path) in relationships)
        {
            if (Json.Text(relationship, "linkedRelationshipId", path) is not null)
            {
                continue;
            }
            var source = Json.RequiredText(relationship, "sourceId", path);
            var destination = Json.RequiredText(relationship, "destinationId", path);
            if (!refOf.TryGetValue(source, out var from) || !refOf.TryGetValue(destination, out var to))
            {
                throw new ModelFormatException($"{path}: element id '{(refOf.ContainsKey(source) ? destination : source)}' is not in the workspace");
            }
            if (from is not null && to is not null && !string.Equals(from, to, StringComparison.OrdinalIgnoreCase))
            {
                dependencies.Add(new DeclaredDependency(from, to, Json.Text(relationship, "description", path)));
            }
        }
        return new ArchitectureModel("structurizr", entities, dependencies);
    }

    private static DeclaredEntity Entity(JsonElement element, string path, string entityRef, string kind, string name, string? ns)
    {
        var properties = Json.Object(element, "properties", path);
        var alias = properties is { } p ? Json.Text(p, ModelExport.ServiceNameAnnotation, $"{path}.properties") : null;
        var layer = properties is { } q ? Json.Text(q, "depmap.io/layer", $"{path}.properties") : null;
        var type = Json.Text(element, "technology", path) ?? FirstTag(Json.Text(element, "tags", path));
        return new DeclaredEntity(entityRef, kind, name, ns, type, layer)
        {
            Aliases = alias?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [],
        };
    }

    // "Element,Software System,Database": the first tag Structurizr did not add itself says what it is.
    private static string? FirstTag(string? tags) =>
        tags?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(t => t is not ("Element" or "Software System" or "Container" or "Component" or "Person"));
}
