using System.Globalization;
using System.Text.Json;

namespace DepMap.Core.Snapshots;

/// <summary>Typed reads of JSON properties that fail with the JSON path of what is missing or wrong.</summary>
internal static class SnapshotReading
{
    public static JsonElement Property(JsonElement parent, string name, string path, JsonValueKind kind)
    {
        if (!parent.TryGetProperty(name, out var value))
        {
            throw new SnapshotFormatException($"{path}.{name}", "missing");
        }
        if (value.ValueKind != kind)
        {
            throw new SnapshotFormatException($"{path}.{name}", $"expected {Word(kind)}, found {SnapshotJson.Kind(value)}");
        }
        return value;
    }

    public static string String(JsonElement parent, string name, string path) =>
        Property(parent, name, path, JsonValueKind.String).GetString()!;

    public static string? OptionalString(JsonElement parent, string name, string path) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Null ? null
        : parent.TryGetProperty(name, out _) ? String(parent, name, path)
        : null;

    public static long Long(JsonElement parent, string name, string path)
    {
        var value = Property(parent, name, path, JsonValueKind.Number);
        return value.TryGetInt64(out var number) && number >= 0
            ? number
            : throw new SnapshotFormatException($"{path}.{name}", $"expected a whole number of at least 0, found {value.GetRawText()}");
    }

    public static double? OptionalDouble(JsonElement parent, string name, string path) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? Property(parent, name, path, JsonValueKind.Number).GetDouble()
            : null;

    /// <summary><c>windowSeconds</c> (a snapshot) or <c>window.from</c>/<c>window.to</c> (ISO 8601); null when neither is there.</summary>
    public static TimeSpan? WindowSeconds(JsonElement parent, string path)
    {
        if (OptionalDouble(parent, "windowSeconds", path) is { } seconds)
        {
            return seconds > 0 ? TimeSpan.FromSeconds(seconds)
                : throw new SnapshotFormatException($"{path}.windowSeconds", $"expected more than 0, found {seconds.ToString(CultureInfo.InvariantCulture)}");
        }
        if (!parent.TryGetProperty("window", out var window) || window.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        var at = $"{path}.window";
        var from = Time(window, "from", at);
        var to = Time(window, "to", at);
        return to > from ? to - from : throw new SnapshotFormatException(at, "\"to\" must be later than \"from\"");
    }

    private static DateTimeOffset Time(JsonElement window, string name, string path)
    {
        var text = String(window, name, path);
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw new SnapshotFormatException($"{path}.{name}", $"expected an ISO 8601 time, found \"{text}\"");
    }

    private static string Word(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
