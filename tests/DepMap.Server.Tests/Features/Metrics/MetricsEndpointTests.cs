using System.Net;
using System.Text.Json;
using DepMap.Server.Tests.Aggregation;

namespace DepMap.Server.Tests.Features.Metrics;

/// <summary>/metrics and /readyz on the real app over a real SQLite file.</summary>
public sealed class MetricsEndpointTests
{
    private const string Window = "from=2024-12-31T23:00:00Z&to=2025-01-01T02:00:00Z";

    [Fact]
    public async Task Metrics_CountIngestAndTheExampleEdges_AfterASecondScrape()
    {
        using var factory = new DepMapFactory();
        using var client = factory.CreateClient();
        Assert.True((await client.PostAsync("/v1/traces", ExampleTraces.Otlp(), "application/json")).IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/api/v2/spans", Payloads.Utf8("[{"), "application/json")).StatusCode);
        Assert.True((await client.PostAsync("/api/aggregate?flush=true", null)).IsSuccessStatusCode);

        var first = await MetricsText.ScrapeAsync(client);
        var second = await MetricsText.ScrapeAsync(client);

        Assert.Equal(6, first.Value("depmap_ingest_spans_received_total{protocol=\"otlp_json\"}"));
        Assert.Equal(1, first.Value("depmap_ingest_payloads_refused_total{protocol=\"zipkin\",reason=\"malformed\"}"));
        Assert.Equal(1, first.Value("depmap_aggregation_traces_linked_total"));
        Assert.Equal(0, first.Value("depmap_aggregation_traces_waiting"));
        // The span file's and the database's connections hold SQLite memory (on PostgreSQL, Hangfire's may not).
        Assert.InRange(first.Value("depmap_sqlite_memory_bytes")!.Value, DepMapFactory.OnPostgreSql ? 0 : 1, 1L << 31);
        // A running server's GC holds at least a megabyte committed.
        Assert.InRange(first.Value("depmap_gc_committed_bytes")!.Value, 1 << 20, 1L << 34);
        Assert.NotNull(first.Value("depmap_ingest_commit_seconds_count"));
        // Born at zero in the first scrape, counted from the second.
        const string Rpc = "{client=\"logistics\",server=\"tracking\",connection_type=\"\"}";
        Assert.Equal(0, first.Value("traces_service_graph_request_total" + Rpc));
        Assert.Equal(1, second.Value("traces_service_graph_request_total" + Rpc));
        Assert.Equal(1, second.Value("traces_service_graph_request_server_seconds_bucket{client=\"logistics\",server=\"tracking\",connection_type=\"\",le=\"0.1\"}"));
        Assert.Equal(0.046, second.Value("traces_service_graph_request_server_seconds_sum" + Rpc)!.Value, 1e-9);
        Assert.Equal(0.05, second.Value("traces_service_graph_request_client_seconds_sum" + Rpc)!.Value, 1e-9);
        Assert.Equal(1, second.Value("traces_service_graph_request_total{client=\"logistics\",server=\"logistics-db\",connection_type=\"database\"}"));
    }

    [Fact]
    public async Task ServiceGraphCounters_NeverGoDown_WhenALateSpanMovesACallToAnotherEdge()
    {
        using var factory = new DepMapFactory();
        using var client = factory.CreateClient();
        // logistics' spans alone: its call to tracking has no server side yet, an uninstrumented peer.
        Assert.True((await client.PostAsync("/v1/traces", ExampleTraces.OtlpOf("logistics"), "application/json")).IsSuccessStatusCode);
        Assert.True((await client.PostAsync("/api/aggregate?flush=true", null)).IsSuccessStatusCode);
        await MetricsText.ScrapeAsync(client);
        var before = await MetricsText.ScrapeAsync(client);
        const string Virtual = "{client=\"logistics\",server=\"tracking\",connection_type=\"virtual_node\"}";
        Assert.Equal(1, before.Value("traces_service_graph_request_total" + Virtual));

        // tracking's spans arrive late: the re-link moves the call to the instrumented RPC edge.
        Assert.True((await client.PostAsync("/v1/traces", ExampleTraces.OtlpOf("tracking"), "application/json")).IsSuccessStatusCode);
        Assert.True((await client.PostAsync("/api/aggregate?flush=true", null)).IsSuccessStatusCode);
        await MetricsText.ScrapeAsync(client);
        var after = await MetricsText.ScrapeAsync(client);

        Assert.Equal(1, after.Value("traces_service_graph_request_total" + Virtual));
        Assert.Equal(1, after.Value("depmap_service_graph_retracted_requests_total" + Virtual));
        Assert.Equal(1, after.Value("traces_service_graph_request_total{client=\"logistics\",server=\"tracking\",connection_type=\"\"}"));
        // request_total - retracted is exactly what the statistics hold.
        using var graph = JsonDocument.Parse(await client.GetStringAsync("/graph.json?" + Window));
        var edge = Assert.Single(graph.RootElement.GetProperty("edges").EnumerateArray(),
            e => e.GetProperty("source").GetString() == "logistics" && e.GetProperty("target").GetString() == "tracking");
        Assert.Equal("", edge.GetProperty("connectionType").GetString());
    }

    [Fact]
    public async Task Readyz_Answers200WithEveryCheck_WhenStorageLagAndDotAreFine()
    {
        using var factory = new DepMapFactory();
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(json.RootElement.GetProperty("ready").GetBoolean());
        Assert.True(json.RootElement.GetProperty("storage").GetProperty("ok").GetBoolean());
        Assert.Equal(0, json.RootElement.GetProperty("aggregationLag").GetProperty("seconds").GetDouble());
        Assert.EndsWith("/dot", json.RootElement.GetProperty("dot").GetProperty("found").GetString());
    }

    [Fact]
    public async Task Readyz_Answers503NamingTheLag_WhenSpansWaitLongerThanTheBound()
    {
        using var factory = new DepMapFactory(DepMapFactory.NewFolder(), ownsFolder: true, new() { ["Health:MaxAggregationLagSeconds"] = "0.001" });
        using var client = factory.CreateClient();
        Assert.True((await client.PostAsync("/v1/traces", ExampleTraces.Otlp(), "application/json")).IsSuccessStatusCode);

        HttpResponseMessage response;
        // The lag is measured against the clock: wait until a millisecond has passed since the commit.
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            response = await client.GetAsync("/readyz");
        }
        while (response.StatusCode == HttpStatusCode.OK && deadline.Elapsed < TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var lag = json.RootElement.GetProperty("aggregationLag");
        Assert.False(lag.GetProperty("ok").GetBoolean());
        Assert.True(lag.GetProperty("seconds").GetDouble() > 0.001);
        Assert.True(json.RootElement.GetProperty("storage").GetProperty("ok").GetBoolean());

        // Linked, nothing waits: ready again.
        Assert.True((await client.PostAsync("/api/aggregate?flush=true", null)).IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
    }

    [Fact]
    public async Task Readyz_Answers503NamingDot_WhenGraphvizIsMissing()
    {
        using var factory = new DepMapFactory(DepMapFactory.NewFolder(), ownsFolder: true, new() { ["Graph:DotPath"] = "/nonexistent/dot", ["Graph:WarmUpOnStart"] = "false" });
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var dot = json.RootElement.GetProperty("dot");
        Assert.False(dot.GetProperty("ok").GetBoolean());
        Assert.Equal("/nonexistent/dot", dot.GetProperty("path").GetString());
    }
}
