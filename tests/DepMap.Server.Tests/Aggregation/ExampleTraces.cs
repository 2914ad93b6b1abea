using System.Text.Json.Nodes;

namespace DepMap.Server.Tests.Aggregation;

/// <summary>The docs' logistics/tracking example trace (docs/examples), one trace of six spans.</summary>
internal static class ExampleTraces
{
    public static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static byte[] Otlp() => File.ReadAllBytes(PathOf("logistics-tracking.otlp.json"));

    /// <summary>The OTLP JSON of one service's spans only (its resourceSpans entry), as that service's exporter sends them.</summary>
    public static byte[] OtlpOf(string service)
    {
        var root = JsonNode.Parse(Otlp())!.AsObject();
        var resources = root["resourceSpans"]!.AsArray();
        var kept = resources.Where(r => r!["resource"]!["attributes"]!.AsArray()
            .Any(a => (string?)a!["key"] == "service.name" && (string?)a["value"]!["stringValue"] == service)).ToList();
        Assert.Single(kept);
        return System.Text.Encoding.UTF8.GetBytes(new JsonObject { ["resourceSpans"] = new JsonArray(kept.Select(k => k!.DeepClone()).ToArray()) }.ToJsonString());
    }

    private static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Examples", name);
}
