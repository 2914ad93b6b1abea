using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace DepMap.Server.Tests.Features.Services;

/// <summary>
/// Issue 10, point 7: an uninstrumented peer has one name everywhere. The graph names it with
/// PeerNames, the reliability facts and the ranking with CallTargets; when the two disagreed a peer
/// named only by its socket address, or with an empty peer.service, was one node on /graph.json and
/// another (or none) in /services and the ranking.
/// </summary>
public class PeerNameAgreementTests
{
    private const string Window = "from=2025-01-01T00:00:00Z&to=2025-01-01T01:00:00Z";

    // web (a SERVER root) calls three peers with no server side, 3 traces each: one named only by its
    // socket address, one by server.address behind an empty peer.service, one by the deprecated
    // net.peer.name alone. Each trace's first call fails.
    private static string OtlpTraces()
    {
        var spans = new List<string>();
        string Attribute(string key, string value) => $$$"""{"key":"{{{key}}}","value":{"stringValue":"{{{value}}}"}}""";
        string IntAttribute(string key, int value) => $$$"""{"key":"{{{key}}}","value":{"intValue":"{{{value}}}"}}""";
        string Span(string trace, string id, string parent, int kind, int startMs, int durationMs, bool error, params string[] attributes) =>
            $$$"""{"traceId":"{{{trace}}}","spanId":"{{{id}}}","parentSpanId":"{{{parent}}}","name":"call","kind":{{{kind}}},"startTimeUnixNano":"{{{1735689600000L + startMs}}}000000","endTimeUnixNano":"{{{1735689600000L + startMs + durationMs}}}000000","attributes":[{{{string.Join(",", attributes)}}}],"status":{"code":{{{(error ? 2 : 1)}}}}}""";
        for (var i = 0; i < 3; i++)
        {
            var trace = $"{i + 1:x32}";
            var start = i * 1000;
            spans.Add(Span(trace, $"a{i:x15}", "", 2, start, 50, false));
            spans.Add(Span(trace, $"b{i:x15}", $"a{i:x15}", 3, start + 1, 10, i == 0,
                Attribute("network.peer.address", "10.0.0.7"), IntAttribute("network.peer.port", 8080)));
            spans.Add(Span(trace, $"c{i:x15}", $"a{i:x15}", 3, start + 12, 10, i == 0,
                Attribute("peer.service", ""), Attribute("server.address", "pay.example")));
            spans.Add(Span(trace, $"d{i:x15}", $"a{i:x15}", 3, start + 24, 10, i == 0,
                Attribute("net.peer.name", "old-inventory")));
        }
        return $$$"""{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"web"}}]},"scopeSpans":[{"scope":{"name":"t"},"spans":[{{{string.Join(",", spans)}}}]}]}]}""";
    }

    // The same kind of call from Zipkin: a CLIENT span whose peer is only its remoteEndpoint.
    private const string ZipkinTrace = """
        [{"traceId":"00000000000000000000000000000abc","id":"0000000000000001","kind":"SERVER","name":"get","timestamp":1735689610000000,"duration":50000,"localEndpoint":{"serviceName":"web"}},
         {"traceId":"00000000000000000000000000000abc","parentId":"0000000000000001","id":"0000000000000002","kind":"CLIENT","name":"bill","timestamp":1735689610001000,"duration":10000,"localEndpoint":{"serviceName":"web"},"remoteEndpoint":{"serviceName":"legacy-billing"}}]
        """;

    [Fact]
    public async Task PeerNames_AreTheSameOnGraphServicesAndZipkinApi_WhenPeersAreUninstrumented()
    {
        using var factory = new DepMapFactory();
        using var client = factory.CreateClient();
        (await client.PostAsync("/v1/traces", new StringContent(OtlpTraces(), Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        (await client.PostAsync("/api/v2/spans", new StringContent(ZipkinTrace, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        (await client.PostAsync("/api/aggregate?flush=true", null)).EnsureSuccessStatusCode();

        var graph = await client.GetFromJsonAsync<JsonElement>($"/graph.json?{Window}");
        var called = graph.GetProperty("edges").EnumerateArray()
            .Where(e => e.GetProperty("source").GetString() == "web")
            .ToDictionary(e => e.GetProperty("target").GetString()!, e => e.GetProperty("callCount").GetInt64());
        Assert.Equal(
            new Dictionary<string, long> { ["10.0.0.7:8080"] = 3, ["pay.example"] = 3, ["old-inventory"] = 3, ["legacy-billing"] = 1 },
            called);

        // Every such peer is a node of /services under the same name, and the ranking (which has a
        // row per instrumented service only, its reach counted over the same CallTargets names, see
        // Core's PeerNamesTests) never shows the bare address.
        var services = await client.GetFromJsonAsync<JsonElement>($"/services?{Window}");
        var names = services.EnumerateArray().Select(n => n.GetProperty("name").GetString()!).ToHashSet();
        Assert.Subset(names, called.Keys.ToHashSet());
        var ranking = await client.GetStringAsync($"/services/ranking?{Window}");
        Assert.Contains("\"web\"", ranking, StringComparison.Ordinal);
        Assert.DoesNotContain("10.0.0.7\"", ranking, StringComparison.Ordinal);

        // Zipkin's view names a peer by the remote endpoint alone, as Zipkin's linker does, with the same name.
        var endTs = DateTimeOffset.Parse("2025-01-01T01:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        var links = await client.GetFromJsonAsync<JsonElement>($"/api/v2/dependencies?endTs={endTs}&lookback=3600000");
        Assert.Contains(links.EnumerateArray(), l => l.GetProperty("parent").GetString() == "web" && l.GetProperty("child").GetString() == "legacy-billing");
    }
}
