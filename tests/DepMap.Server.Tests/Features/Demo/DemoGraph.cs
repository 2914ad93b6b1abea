using System.Diagnostics;
using System.Net;
using System.Text.Json;
using DepMap.Demo;
using OpenTelemetry.Exporter;

namespace DepMap.Server.Tests.Features.Demo;

/// <summary>Reads what the demo's traffic became: /graph.json and the ranking, over the protocol the server speaks.</summary>
internal static class DemoGraph
{
    public static HttpClient Client(Uri address, OtlpExportProtocol protocol) =>
        // Over HTTP/2 without TLS the client must speak HTTP/2 from the first byte, as gRPC does.
        protocol == OtlpExportProtocol.Grpc
            ? new HttpClient { BaseAddress = address, DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact }
            : new HttpClient { BaseAddress = address };

    public static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static IEnumerable<string> ServiceNames(JsonElement graph) =>
        graph.GetProperty("nodes").EnumerateArray()
            .Where(n => n.GetProperty("type").GetString() == "service")
            .Select(n => n.GetProperty("name").GetString()!);

    /// <summary>The 30 services of the simulated system, from the model the demo runs.</summary>
    public static IReadOnlyCollection<string> ThirtyServices => [.. DemoSystems.Thirty.Services.Keys];

    /// <summary>Reads /graph.json every half second until it has named all thirty services; fails after <paramref name="limit"/>.</summary>
    public static async Task WaitForThirtyServicesAsync(HttpClient client, Stopwatch clock, TimeSpan limit)
    {
        var missing = ThirtyServices.ToHashSet();
        while (missing.Count > 0 && clock.Elapsed < limit)
        {
            await Task.Delay(500);
            missing.ExceptWith(ServiceNames(await GetJsonAsync(client, "/graph.json")));
        }
        Assert.True(missing.Count == 0, $"after {clock.Elapsed.TotalSeconds:0} s /graph.json still lacks {string.Join(", ", missing)}");
    }

    public static JsonElement Node(JsonElement graph, string name) =>
        Assert.Single(graph.GetProperty("nodes").EnumerateArray(), n => n.GetProperty("name").GetString() == name);

    public static JsonElement Edge(JsonElement graph, string source, string target) =>
        Assert.Single(graph.GetProperty("edges").EnumerateArray(),
            e => e.GetProperty("source").GetString() == source && e.GetProperty("target").GetString() == target);

    public static bool HasEdge(JsonElement graph, string source, string target) =>
        graph.GetProperty("edges").EnumerateArray()
            .Any(e => e.GetProperty("source").GetString() == source && e.GetProperty("target").GetString() == target);
}
