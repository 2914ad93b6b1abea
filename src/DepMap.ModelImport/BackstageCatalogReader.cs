using DepMap.Core.Conformance;

namespace DepMap.ModelImport;

/// <summary>
/// A Backstage catalog: one or many YAML documents of <c>backstage.io/v1alpha1</c> entities.
/// Components and Resources are entities; <c>spec.dependsOn</c> (kind required, namespace defaults
/// to the entity's own) and <c>spec.dependencyOf</c> declare dependencies; <c>spec.consumesApis</c>
/// is joined with the <c>spec.providesApis</c> of other components into consumer-to-provider
/// dependencies (an API nobody provides stays a dependency on the API, so it is reported, not
/// dropped). A component's namespace for mapping is its <c>metadata.namespace</c>, or its system
/// when that is <c>default</c>. Groups, Users, Domains, Locations and Templates are not
/// architecture and are skipped.
/// </summary>
internal static class BackstageCatalogReader
{
    private const string DefaultNamespace = "default";

    public static ArchitectureModel Read(List<YamlDocument> documents)
    {
        var entities = new List<DeclaredEntity>();
        var dependencies = new List<DeclaredDependency>();
        var consumers = new List<(string Consumer, string Api)>();
        var providers = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        for (var d = 0; d < documents.Count; d++)
        {
            if (Yaml.Map(documents[d].RootNode, $"document {d + 1}") is not { } root)
            {
                continue;
            }
            var at = $"document {d + 1}";
            var apiVersion = Yaml.Text(root, "apiVersion", at)
                ?? throw new ModelFormatException($"{at}: apiVersion is required (line {root.Start.Line}); a Backstage entity starts with apiVersion: backstage.io/v1alpha1");
            var kind = Yaml.Text(root, "kind", at) ?? throw new ModelFormatException($"{at}: kind is required (line {root.Start.Line})");
            if (!apiVersion.StartsWith("backstage.io/", StringComparison.Ordinal))
            {
                throw new ModelFormatException($"{at}: apiVersion '{apiVersion}' is not a Backstage entity (backstage.io/v1alpha1)");
            }
            var metadata = Yaml.Map(Yaml.Get(root, "metadata"), $"{at}.metadata")
                ?? throw new ModelFormatException($"{at}: metadata is required (line {root.Start.Line})");
            var name = Yaml.RequiredText(metadata, "name", $"{at}.metadata");
            var ns = Yaml.Text(metadata, "namespace", $"{at}.metadata") ?? DefaultNamespace;
            var self = EntityRefs.Make(kind, ns, name);
            at = $"{at} ({self})";
            var spec = Yaml.Map(Yaml.Get(root, "spec"), $"{at}.spec");
            switch (kind.ToLowerInvariant())
            {
                case "component":
                case "resource":
                    var annotations = Yaml.Map(Yaml.Get(metadata, "annotations"), $"{at}.metadata.annotations");
                    var system = Yaml.Text(spec, "system", $"{at}.spec") is { } s ? EntityRefs.Parse(s, "system", ns, $"{at}.spec.system") : null;
                    var aliases = Yaml.Text(annotations, ModelExport.ServiceNameAnnotation, $"{at}.metadata.annotations") is { } alias
                        ? alias.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                        : [];
                    entities.Add(new DeclaredEntity(
                        self, kind.ToLowerInvariant(), name,
                        ns != DefaultNamespace ? ns : system is null ? null : DeclaredEntity.FromRef(system).Name,
                        Yaml.Text(spec, "type", $"{at}.spec"),
                        Yaml.Text(annotations, "depmap.io/layer", $"{at}.metadata.annotations"))
                    {
                        Aliases = aliases,
                        Title = Yaml.Text(metadata, "title", $"{at}.metadata"),
                    });
                    foreach (var (target, path) in Yaml.Texts(spec, "dependsOn", $"{at}.spec"))
                    {
                        dependencies.Add(new DeclaredDependency(self, EntityRefs.Parse(target, null, ns, path), "dependsOn"));
                    }
                    foreach (var (source, path) in Yaml.Texts(spec, "dependencyOf", $"{at}.spec"))
                    {
                        dependencies.Add(new DeclaredDependency(EntityRefs.Parse(source, null, ns, path), self, "dependencyOf"));
                    }
                    foreach (var (api, path) in Yaml.Texts(spec, "consumesApis", $"{at}.spec"))
                    {
                        consumers.Add((self, EntityRefs.Parse(api, "api", ns, path)));
                    }
                    foreach (var (api, path) in Yaml.Texts(spec, "providesApis", $"{at}.spec"))
                    {
                        var apiRef = EntityRefs.Parse(api, "api", ns, path);
                        if (!providers.TryGetValue(apiRef, out var list))
                        {
                            providers[apiRef] = list = [];
                        }
                        list.Add(self);
                    }
                    break;
                case "api":
                case "system":
                    // APIs are joined below; systems only name their components' namespace.
                    break;
                default:
                    break;
            }
        }
        foreach (var (consumer, api) in consumers)
        {
            if (providers.TryGetValue(api, out var list))
            {
                dependencies.AddRange(list.Select(provider => new DeclaredDependency(consumer, provider, api)));
            }
            else
            {
                dependencies.Add(new DeclaredDependency(consumer, api, "consumesApis (no component provides it)"));
            }
        }
        return new ArchitectureModel("backstage", entities, dependencies);
    }
}
