using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using DepMap.Server.Tests.Aggregation;
using DepMap.Tests.Shared;
using OpenTelemetry.Exporter;

namespace DepMap.Server.Tests.Features.Graph;

/// <summary>
/// The docs' logistics/tracking example, sent by the real OpenTelemetry SDK, aggregated, then read
/// through the query API. The fake clock stands ten minutes after the traces, so the default
/// window (the last hour) holds them.
/// </summary>
public class GraphQueryTests
{
    private const string Window = "from=2024-12-31T23:00:00Z&to=2025-01-01T02:00:00Z";

    [Theory]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    [InlineData(OtlpExportProtocol.Grpc)]
    public async Task GetGraphJson_HoldsTheExampleEdgesLatenciesAndHealth_WhenTheSdkSentIt(OtlpExportProtocol protocol)
    {
        using var factory = new AggregationFactory(kestrel: true, settings: protocol == OtlpExportProtocol.Grpc
            ? new() { ["Kestrel:EndpointDefaults:Protocols"] = "Http2" }
            : null);
        using var client = Client(factory, protocol);
        // Three traces, the second failing in tracking's database.
        await Task.Run(() => LogisticsTraffic.Send(factory.Address, protocol, traces: 3, fails: i => i == 1));
        Assert.True((await client.PostAsync("/api/aggregate?flush=true", null)).IsSuccessStatusCode);

        var response = await client.GetAsync("/graph.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var edges = json.RootElement.GetProperty("edges").EnumerateArray()
            .ToDictionary(e => (e.GetProperty("source").GetString(), e.GetProperty("target").GetString()));
        Assert.Equal(
            [("logistics", "logistics-db"), ("logistics", "tracking"), ("tracking", "tracking-db"), ("user", "logistics")],
            edges.Keys.Order());
        var rpc = edges[("logistics", "tracking")];
        Assert.Equal((3, 1), (rpc.GetProperty("callCount").GetInt32(), rpc.GetProperty("errorCount").GetInt32()));
        AssertMs(LogisticsTraffic.Timings.TrackingClient.Duration, rpc.GetProperty("clientLatency"));
        AssertMs(LogisticsTraffic.Timings.TrackingServer.Duration, rpc.GetProperty("serverLatency"));
        AssertMs(LogisticsTraffic.Timings.LogisticsSql.Duration, edges[("logistics", "logistics-db")].GetProperty("clientLatency"));
        AssertMs(LogisticsTraffic.Timings.TrackingSql.Duration, edges[("tracking", "tracking-db")].GetProperty("clientLatency"));
        AssertMs(LogisticsTraffic.Timings.ShipmentServer.Duration, edges[("user", "logistics")].GetProperty("serverLatency"));
        var health = json.RootElement.GetProperty("nodes").EnumerateArray()
            .ToDictionary(n => n.GetProperty("name").GetString()!, n => n.GetProperty("health").GetString());
        // tracking's own database call failed in 1 of its 3 requests: it originates 33% errors;
        // logistics only passed that failure on.
        Assert.Equal("failing", health["tracking"]);
        Assert.Equal("healthy", health["logistics"]);
        Assert.Null(health["tracking-db"]);
    }

    [Fact]
    public async Task GetGraphSvg_IsValidSvgNamingEveryService_WhenExampleIsAggregated()
    {
        using var factory = await AggregatedExampleAsync(traces: 1);

        var response = await factory.CreateClient().GetAsync($"/graph.svg?{Window}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("dot", Assert.Single(response.Headers.GetValues("X-DepMap-Layout")));
        var svg = XDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(XName.Get("svg", "http://www.w3.org/2000/svg"), svg.Root!.Name);
        var texts = svg.Descendants(XName.Get("text", "http://www.w3.org/2000/svg")).Select(t => t.Value).ToHashSet();
        Assert.All(new[] { "logistics", "tracking", "logistics-db", "tracking-db", "user" }, name => Assert.Contains(name, texts));
    }

    [Fact]
    public async Task GetGraphDot_FillsNodesByHealth_WhenOneServiceOriginatesErrors()
    {
        using var factory = await AggregatedExampleAsync(traces: 3, fails: i => i == 1);

        var dot = await factory.CreateClient().GetStringAsync($"/graph.dot?{Window}");

        Assert.Contains("fillcolor=\"#f8c9c9\"", NodeLine(dot, "tracking"));
        Assert.Contains("fillcolor=\"#d9f2d9\"", NodeLine(dot, "logistics"));
        Assert.DoesNotContain("fillcolor", NodeLine(dot, "tracking-db"));
    }

    [Fact]
    public async Task GetGraph_AppliesFocusDirectionAndMinCalls_WhenGiven()
    {
        using var factory = await AggregatedExampleAsync(traces: 3);
        using var client = factory.CreateClient();

        var upstream = await NodesAsync(client, $"/graph.json?{Window}&focus=tracking&depth=1&direction=upstream");
        var downstream = await NodesAsync(client, $"/graph.json?{Window}&focus=logistics&depth=1&direction=downstream");
        var twoUp = await NodesAsync(client, $"/graph.json?{Window}&focus=tracking-db&depth=2&direction=upstream");
        var busy = await NodesAsync(client, $"/graph.json?{Window}&minCalls=4");
        var mermaid = await client.GetStringAsync($"/graph.mmd?{Window}&focus=tracking&depth=0");

        Assert.Equal(["logistics", "tracking"], upstream);
        Assert.Equal(["logistics", "logistics-db", "tracking"], downstream);
        Assert.Equal(["logistics", "tracking", "tracking-db"], twoUp);
        Assert.Empty(busy);
        Assert.StartsWith("flowchart LR\n", mermaid);
        Assert.Contains("[\"tracking\"]", mermaid);
        Assert.DoesNotContain("logistics", mermaid);
    }

    [Fact]
    public async Task GetGraph_ShowsNewTraffic_WhenAnAggregationRunCommitsAfterACachedAnswer()
    {
        using var factory = await AggregatedExampleAsync(traces: 1);
        using var client = factory.CreateClient();
        var before = await client.GetStringAsync("/graph.svg");
        var cached = await client.GetStringAsync("/graph.svg");

        await Task.Run(() => LogisticsTraffic.Send(factory.Address, OtlpExportProtocol.HttpProtobuf, traces: 2,
            start: LogisticsTraffic.DefaultStart.AddMinutes(1)));
        await factory.AggregateAsync();
        var after = await client.GetStringAsync("/graph.svg");

        Assert.Equal(before, cached);
        Assert.Contains("1 call", before);
        Assert.Contains("3 calls", after);
    }

    [Fact]
    public async Task GetGraph_IsEmpty_WhenTheWindowHoldsNoTraffic()
    {
        using var factory = await AggregatedExampleAsync(traces: 1);

        var nodes = await NodesAsync(factory.CreateClient(), "/graph.json?from=2025-01-01T01:00:00Z&to=2025-01-01T02:00:00Z");

        Assert.Empty(nodes);
    }

    [Theory]
    [InlineData("internet", new[] { "internet", "logistics", "logistics-db", "tracking", "tracking-db" })]
    [InlineData("", new[] { "logistics", "logistics-db", "tracking", "tracking-db" })]
    public async Task GetGraph_NamesOrDropsTheEntryNode_AsGraphEntryNodeNameSays(string entryNodeName, string[] expected)
    {
        using var factory = await AggregatedExampleAsync(traces: 1,
            settings: new() { ["Graph:EntryNodeName"] = entryNodeName });

        var nodes = await NodesAsync(factory.CreateClient(), $"/graph.json?{Window}");

        Assert.Equal(expected, nodes.Order());
    }

    internal static async Task<AggregationFactory> AggregatedExampleAsync(int traces, Func<int, bool>? fails = null,
        Dictionary<string, string?>? settings = null)
    {
        var factory = new AggregationFactory(kestrel: true, settings: settings);
        await Task.Run(() => LogisticsTraffic.Send(factory.Address, OtlpExportProtocol.HttpProtobuf, traces, fails));
        await factory.AggregateAsync();
        return factory;
    }

    private static async Task<List<string>> NodesAsync(HttpClient client, string path)
    {
        var graph = await client.GetFromJsonAsync<JsonElement>(path);
        return [.. graph.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("name").GetString()!)];
    }

    private static string NodeLine(string dot, string name) =>
        Assert.Single(dot.Split('\n'), line => line.Contains($"[label=\"{name}\"", StringComparison.Ordinal));

    // Over HTTP/2 without TLS the client must speak HTTP/2 from the first byte, as gRPC does.
    private static HttpClient Client(AggregationFactory factory, OtlpExportProtocol protocol) =>
        protocol == OtlpExportProtocol.Grpc
            ? new HttpClient
            {
                BaseAddress = factory.Address,
                DefaultRequestVersion = HttpVersion.Version20,
                DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            }
            : factory.CreateClient();

    private static void AssertMs(int expectedMs, JsonElement latency)
    {
        // The sketch keeps values within 1%; every call of the example has the same duration.
        var p50 = latency.GetProperty("p50").GetDouble();
        Assert.InRange(p50, expectedMs * 0.98, expectedMs * 1.02);
    }
}
