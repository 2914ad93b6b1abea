using DepMap.Core.Conformance;

namespace DepMap.ModelImport;

/// <summary>
/// The mapping file (YAML or JSON): <c>services:</c> from an entity's ref or name to the observed
/// service name(s) it runs under, a string or a list.
/// </summary>
public static class MappingReader
{
    public static ServiceMapping Read(ReadOnlySpan<byte> utf8, string name)
    {
        try
        {
            var documents = Yaml.Load(utf8, "mapping");
            if (documents.Count == 0 || Yaml.Map(documents[0].RootNode, "mapping") is not { } root)
            {
                return ServiceMapping.None;
            }
            Yaml.OnlyKeys(root, "mapping", "services");
            var services = Yaml.Map(Yaml.Get(root, "services"), "services") ?? throw new ModelFormatException("services is required: entity ref or name to service name(s)");
            var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
            foreach (var (key, _) in services.Children)
            {
                var entity = (key as YamlScalarNode)?.Value ?? throw Yaml.Wrong(key, "services", "keyed by entity refs");
                var names = Yaml.Texts(services, entity, "services").Select(t => t.Value).ToList();
                result[entity] = names.Count > 0 ? names : throw new ModelFormatException($"services.{entity}: give a service name or a list of them (line {key.Start.Line})");
            }
            return new ServiceMapping(result);
        }
        catch (ModelFormatException e)
        {
            throw new ModelFormatException($"{name}: {e.Message}", e);
        }
    }
}
