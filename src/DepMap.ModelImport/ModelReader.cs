using System.Text;
using System.Text.Json;
using DepMap.Core.Conformance;

namespace DepMap.ModelImport;

/// <summary>
/// Reads a declared model from a file's bytes, telling the formats apart by content: a JSON object
/// with <c>model</c> is a Structurizr workspace, one with <c>nodes</c> a CALM architecture; a text
/// starting with <c>workspace</c> is Structurizr DSL; anything else is read as a Backstage catalog
/// (YAML, one or many documents). Anything unusable is a <see cref="ModelFormatException"/> naming the
/// file, the field or line, and the reason.
/// </summary>
public static class ModelReader
{
    public static ArchitectureModel Read(ReadOnlySpan<byte> utf8, string name)
    {
        try
        {
            return ReadModel(utf8);
        }
        catch (ModelFormatException e)
        {
            throw new ModelFormatException($"{name}: {e.Message}", e);
        }
    }

    private static ArchitectureModel ReadModel(ReadOnlySpan<byte> utf8)
    {
        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }
        var text = Encoding.UTF8.GetString(utf8).TrimStart();
        if (text.Length == 0)
        {
            throw new ModelFormatException("the file is empty; expected a Backstage catalog, a Structurizr workspace (JSON or DSL) or a CALM document");
        }
        if (text.StartsWith('{'))
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            }
            catch (JsonException e)
            {
                throw new ModelFormatException($"not valid JSON at line {e.LineNumber + 1}: {e.Message}", e);
            }
            using (document)
            {
                var root = document.RootElement;
                if (root.TryGetProperty("model", out _))
                {
                    return StructurizrJsonReader.Read(root);
                }
                if (root.TryGetProperty("nodes", out _))
                {
                    return CalmReader.Read(root);
                }
                if (!root.TryGetProperty("apiVersion", out _))
                {
                    throw new ModelFormatException("a JSON model is a Structurizr workspace ($.model), a CALM document ($.nodes) or a Backstage entity ($.apiVersion); this has none of them");
                }
            }
        }
        if (text.StartsWith("workspace", StringComparison.OrdinalIgnoreCase))
        {
            return StructurizrDslReader.Read(text);
        }
        var documents = Yaml.Load(text, "Backstage catalog");
        var model = BackstageCatalogReader.Read(documents);
        return model.Entities.Count > 0
            ? model
            : throw new ModelFormatException("no Component or Resource entity in the Backstage catalog");
    }
}
