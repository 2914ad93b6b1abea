using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace DepMap.Server.Tests.Features.Graph;

/// <summary><c>group=namespace</c> on /graph.*: each service.namespace drawn as one node, as the page draws it.</summary>
public class GraphGroupTests
{
    private const string Window = "from=2025-01-01T00:00:00Z&to=2025-01-01T01:00:00Z";

    // web (shop) -> cart (shop) -> ledger (money), 4 traces at 2025-01-01T00:00:0i, over OTLP/HTTP JSON.
    private static string Traces()
    {
        var resources = new StringBuilder();
        string Span(string trace, string id, string parent, int kind, int startMs, int durationMs) =>
            $$"""{"traceId":"{{trace}}","spanId":"{{id}}","parentSpanId":"{{parent}}","name":"GET /","kind":{{kind}},"startTimeUnixNano":"{{1735689600000L + startMs}}000000","endTimeUnixNano":"{{1735689600000L + startMs + durationMs}}000000"}""";
        string Resource(string service, string ns, IEnumerable<string> spans) =>
            $$$"""{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"{{{service}}}"}},{"key":"service.namespace","value":{"stringValue":"{{{ns}}}"}}]},"scopeSpans":[{"scope":{"name":"t"},"spans":[{{{string.Join(",", spans)}}}]}]}""";
        var web = new List<string>();
        var cart = new List<string>();
        var ledger = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var trace = $"{i + 1:x32}";
            var start = i * 1000;
            web.Add(Span(trace, $"a{i:x15}", "", 2, start, 50));
            web.Add(Span(trace, $"b{i:x15}", $"a{i:x15}", 3, start + 1, 40));
            cart.Add(Span(trace, $"c{i:x15}", $"b{i:x15}", 2, start + 2, 38));
            cart.Add(Span(trace, $"d{i:x15}", $"c{i:x15}", 3, start + 3, 20));
            ledger.Add(Span(trace, $"e{i:x15}", $"d{i:x15}", 2, start + 4, 18));
        }
        resources.Append(Resource("web", "shop", web)).Append(',').Append(Resource("cart", "shop", cart)).Append(',').Append(Resource("ledger", "money", ledger));
        return $$"""{"resourceSpans":[{{resources}}]}""";
    }

    [Fact]
    public async Task GetGraph_DrawsEachNamespaceAsOneNode_WhenGroupIsNamespace()
    {
        using var factory = new DepMapFactory();
        using var client = factory.CreateClient();
        (await client.PostAsync("/v1/traces", new StringContent(Traces(), Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        (await client.PostAsync("/api/aggregate?flush=true", null)).EnsureSuccessStatusCode();

        var plain = await client.GetFromJsonAsync<JsonElement>($"/graph.json?{Window}");
        var grouped = await client.GetFromJsonAsync<JsonElement>($"/graph.json?{Window}&group=namespace");
        var dot = await client.GetStringAsync($"/graph.dot?{Window}&group=namespace&focus=money&depth=1");
        var none = await client.GetFromJsonAsync<JsonElement>($"/graph.json?{Window}&group=none");

        static string[] Edges(JsonElement graph) => [.. graph.GetProperty("edges").EnumerateArray().Select(e => $"{e.GetProperty("source")} -> {e.GetProperty("target")} {e.GetProperty("callCount")}")];
        Assert.Equal(["cart -> ledger 4", "user -> web 4", "web -> cart 4"], Edges(plain));
        Assert.Equal(["shop -> money 4", "user -> shop 4"], Edges(grouped));
        Assert.Equal(Edges(plain), Edges(none));
        Assert.Contains("label=\"money\"", dot, StringComparison.Ordinal);
        Assert.Contains("label=\"shop\"", dot, StringComparison.Ordinal);
        Assert.DoesNotContain("label=\"user\"", dot, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetGraph_Returns400NamingGroup_WhenGroupIsUnknown()
    {
        using var factory = new DepMapFactory();

        var response = await factory.CreateClient().GetAsync("/graph.svg?group=team");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await GraphParameterTests.ProblemAsync(response);
        Assert.Equal(("group: 'team' is not one of namespace, none", "group"), (problem.Detail, problem.Parameter));
    }
}
