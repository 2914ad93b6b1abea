using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace DepMap.Server.BrowserTests;

/// <summary>One caller-to-callee call pattern: how many calls, how many fail, how long they take, from when.</summary>
public sealed record Calls(string Caller, string Callee, int Count, DateTimeOffset Start, int Failing = 0, int DurationMs = 20,
    string? CallerNamespace = null, string? CalleeNamespace = null, string Operation = "GET /items");

/// <summary>
/// Real spans over the real OTLP/HTTP JSON ingest: each call is a trace of the caller's server
/// span, its client span and the callee's server span; then a flushing aggregation run, so the
/// statistics are in the database when the method returns.
/// </summary>
public static class Traffic
{
    public static async Task SendAsync(HttpClient http, params Calls[] patterns)
    {
        foreach (var pattern in patterns)
        {
            var response = await http.PostAsync("/v1/traces", new StringContent(Otlp(pattern), Encoding.UTF8, "application/json"));
            response.EnsureSuccessStatusCode();
        }
        (await http.PostAsync("/api/aggregate?flush=true", null)).EnsureSuccessStatusCode();
    }

    /// <summary>Many patterns in few requests (<paramref name="perRequest"/> patterns each), then one flush.</summary>
    public static async Task<string> SendManyAsync(HttpClient http, IReadOnlyList<Calls> patterns, int perRequest = 100)
    {
        foreach (var chunk in patterns.Chunk(perRequest))
        {
            var resources = new JsonArray();
            foreach (var pattern in chunk)
            {
                foreach (var resource in JsonNode.Parse(Otlp(pattern))!["resourceSpans"]!.AsArray().ToList())
                {
                    resources.Add(resource!.DeepClone());
                }
            }
            var body = new JsonObject { ["resourceSpans"] = resources }.ToJsonString();
            (await http.PostAsync("/v1/traces", new StringContent(body, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        }
        var flush = await http.PostAsync("/api/aggregate?flush=true", null);
        flush.EnsureSuccessStatusCode();
        return await flush.Content.ReadAsStringAsync();
    }

    public static string Otlp(Calls calls)
    {
        var caller = new JsonArray();
        var callee = new JsonArray();
        for (var i = 0; i < calls.Count; i++)
        {
            var trace = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            var root = Id();
            var client = Id();
            var start = calls.Start.AddMilliseconds(i * 10);
            var failed = i < calls.Failing;
            caller.Add(Span(trace, root, null, calls.Operation, 2, start, calls.DurationMs + 10, failed));
            caller.Add(Span(trace, client, root, calls.Operation, 3, start.AddMilliseconds(2), calls.DurationMs + 4, failed));
            callee.Add(Span(trace, Id(), client, calls.Operation, 2, start.AddMilliseconds(4), calls.DurationMs, failed));
        }
        return new JsonObject
        {
            ["resourceSpans"] = new JsonArray(Resource(calls.Caller, calls.CallerNamespace, caller), Resource(calls.Callee, calls.CalleeNamespace, callee)),
        }.ToJsonString();
    }

    private static string Id() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private static JsonObject Resource(string service, string? @namespace, JsonArray spans)
    {
        var attributes = new JsonArray(Attribute("service.name", service));
        if (@namespace is not null)
        {
            attributes.Add(Attribute("service.namespace", @namespace));
        }
        return new JsonObject
        {
            ["resource"] = new JsonObject { ["attributes"] = attributes },
            ["scopeSpans"] = new JsonArray(new JsonObject { ["scope"] = new JsonObject { ["name"] = "browser-tests" }, ["spans"] = spans }),
        };
    }

    private static JsonObject Attribute(string key, string value) =>
        new() { ["key"] = key, ["value"] = new JsonObject { ["stringValue"] = value } };

    private static JsonObject Span(string trace, string id, string? parent, string name, int kind, DateTimeOffset start, int durationMs, bool failed)
    {
        var span = new JsonObject
        {
            ["traceId"] = trace,
            ["spanId"] = id,
            ["name"] = name,
            ["kind"] = kind,
            ["startTimeUnixNano"] = Nano(start),
            ["endTimeUnixNano"] = Nano(start.AddMilliseconds(durationMs)),
            ["status"] = new JsonObject { ["code"] = failed ? 2 : 1 },
        };
        if (parent is not null)
        {
            span["parentSpanId"] = parent;
        }
        return span;
    }

    private static string Nano(DateTimeOffset time) =>
        ((time.ToUnixTimeMilliseconds() * 1_000_000L).ToString(CultureInfo.InvariantCulture));

    /// <summary>/graph.json of a query, parsed.</summary>
    public static async Task<JsonObject> GraphAsync(HttpClient http, string query) =>
        (await http.GetFromJsonAsync<JsonObject>($"/graph.json?{query}"))!;
}
