using System.Text.Json;

namespace DepMap.ModelImport;

/// <summary>Reading JSON models with errors that name the JSON path.</summary>
internal static class Json
{
    public static string? Text(JsonElement element, string property, string path) =>
        !element.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : value.ValueKind == JsonValueKind.Number ? value.GetRawText()
        : throw new ModelFormatException($"{path}.{property} must be a string, not {Kind(value)}");

    public static string RequiredText(JsonElement element, string property, string path) =>
        Text(element, property, path) is { Length: > 0 } text ? text : throw new ModelFormatException($"{path}.{property} is required");

    public static IEnumerable<(JsonElement Item, string Path)> Items(JsonElement element, string property, string path)
    {
        if (!element.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            yield break;
        }
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new ModelFormatException($"{path}.{property} must be an array, not {Kind(value)}");
        }
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            var at = $"{path}.{property}[{i++}]";
            yield return item.ValueKind == JsonValueKind.Object ? (item, at) : throw new ModelFormatException($"{at} must be an object, not {Kind(item)}");
        }
    }

    public static JsonElement? Object(JsonElement element, string property, string path) =>
        !element.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.Object ? value
        : throw new ModelFormatException($"{path}.{property} must be an object, not {Kind(value)}");

    public static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
