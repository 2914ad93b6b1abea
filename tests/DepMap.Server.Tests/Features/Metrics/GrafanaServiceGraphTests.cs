using System.Text.Json;

namespace DepMap.Server.Tests.Features.Metrics;

/// <summary>
/// A real Prometheus scrapes a real DepMap (Kestrel on 127.0.0.1) after a known set of traces, and
/// the PromQL that Grafana's Tempo data source issues for its service graph (grafana
/// public/app/plugins/datasource/tempo: makePromServiceMapRequest and the edge links of
/// getFieldConfig) is answered through Prometheus' HTTP API and checked against /graph.json.
/// </summary>
public sealed class GrafanaServiceGraphTests
{
    // Grafana replaces $__range with the dashboard's range; any range holding the whole series works.
    private const string Range = "[10m]";

    [Fact]
    public async Task GrafanaServiceGraphQueries_AgreeWithGraphJson_WhenPrometheusScrapesDepMap()
    {
        using var factory = new MetricsFactory();
        using var client = new HttpClient { BaseAddress = factory.Address };
        await using var prometheus = await PrometheusServer.StartAsync(factory.Address);
        // Scraped before the traces, as a running DepMap is: the edges appear while Prometheus watches.
        await prometheus.WaitUntilAsync(async () => (await prometheus.QueryAsync("up{job=\"depmap\"} == 1")).Count == 1, "the first scrape");

        var ingest = await client.PostAsync("/api/v2/spans", new ByteArrayContent(ServiceGraphTraffic.Zipkin(traces: 8)));
        Assert.True(ingest.IsSuccessStatusCode, await ingest.Content.ReadAsStringAsync());
        Assert.True((await client.PostAsync("/api/aggregate?flush=true", null)).IsSuccessStatusCode);
        var edges = await EdgesAsync(client);
        Assert.Contains(edges.Values, e => e.ConnectionType == "database");
        Assert.Contains(edges.Values, e => e.ConnectionType == "messaging_system");
        var calls = edges.Values.Sum(e => e.Calls);
        await prometheus.WaitUntilAsync(
            async () => (await prometheus.QueryAsync("sum(traces_service_graph_request_total)")) is [var total] && total.Value == calls,
            $"Prometheus to hold the {calls} calls");

        // The raw series: exactly the statistics' counts, on Tempo's labels.
        var totals = ByEdge(await prometheus.QueryAsync("traces_service_graph_request_total"));
        Assert.Equal(edges.Keys.Order(), totals.Keys.Order());
        Assert.All(edges, e => Assert.Equal(e.Value.Calls, totals[e.Key]));
        var counts = ByEdge(await prometheus.QueryAsync("traces_service_graph_request_server_seconds_count"));
        Assert.All(edges, e => Assert.Equal(e.Value.Calls, counts[e.Key]));

        // The service map: Grafana's instant queries over $__range, all at one time as Grafana sends them.
        prometheus.EvaluateAt(DateTimeOffset.UtcNow);
        var rate = ByEdge(await prometheus.QueryAsync($"sum by (client, server) (rate(traces_service_graph_request_total{Range}))"));
        var failed = ByEdge(await prometheus.QueryAsync($"sum by (client, server) (rate(traces_service_graph_request_failed_total{Range}))"));
        var seconds = ByEdge(await prometheus.QueryAsync($"sum by (client, server) (rate(traces_service_graph_request_server_seconds_sum{Range}))"));
        var buckets = ByEdge(await prometheus.QueryAsync($"sum by (client, server) (rate(traces_service_graph_request_server_seconds_bucket{Range}))"));
        var types = await prometheus.QueryAsync("group by (client, connection_type, server) (traces_service_graph_request_total)");
        Assert.Equal(edges.Keys.Order(), rate.Keys.Order());
        Assert.Equal(edges.Keys.Order(), buckets.Keys.Order());
        // Prometheus drops a label whose value is empty: an RPC edge (Tempo's "") has no connection_type.
        Assert.All(types, t => Assert.Equal(edges[(t.Labels["client"], t.Labels["server"])].ConnectionType, t.Labels.GetValueOrDefault("connection_type", "")));
        // Every series was born and counted in the same scrapes, so rate() extrapolates them alike:
        // the rates are the call counts times one factor.
        var factor = rate.First().Value / edges[rate.First().Key].Calls;
        Assert.True(factor > 0);
        foreach (var (edge, figures) in edges)
        {
            Assert.Equal(figures.Calls * factor, rate[edge], 1e-9 * rate[edge] + 1e-12);
            // Grafana's failed arc is failed / total; its edge figure is seconds / total * 1000 ms.
            Assert.Equal((double)figures.Errors / figures.Calls, failed.GetValueOrDefault(edge) / rate[edge], 1e-9);
            var meanMs = seconds[edge] / rate[edge] * 1000;
            Assert.True(Math.Abs(meanMs - figures.ServedMeanMs) <= 0.01 + figures.ServedMeanMs * 1e-6, $"{edge}: mean {meanMs} ms, /graph.json {figures.ServedMeanMs} ms");
        }

        // The edge's "Request histogram" link: p90 by client and server, in the bucket of /graph.json's p90.
        foreach (var (edge, figures) in edges)
        {
            var p90 = await prometheus.QueryAsync(
                $"histogram_quantile(0.9, sum(rate(traces_service_graph_request_server_seconds_bucket{{client=\"{edge.Client}\",server=\"{edge.Server}\"}}{Range})) by (le, client, server))");
            var seconds90 = Assert.Single(p90).Value;
            Assert.Equal(Bucket(figures.ServedP90Ms / 1000), Bucket(seconds90));
        }
    }

    private static int Bucket(double seconds) => DepMap.Core.Aggregation.BucketChange.BucketOf(seconds);

    private static Dictionary<(string Client, string Server), double> ByEdge(List<(Dictionary<string, string> Labels, double Value)> results) =>
        results.ToDictionary(r => (r.Labels["client"], r.Labels["server"]), r => r.Value);

    private sealed record EdgeFigures(string ConnectionType, long Calls, long Errors, double ServedMeanMs, double ServedP90Ms);

    /// <summary>/graph.json's edges; served latency is the server side where reported, else the client side.</summary>
    private static async Task<Dictionary<(string Client, string Server), EdgeFigures>> EdgesAsync(HttpClient client)
    {
        using var json = JsonDocument.Parse(await client.GetStringAsync("/graph.json?" + ServiceGraphTraffic.Window));
        return json.RootElement.GetProperty("edges").EnumerateArray().ToDictionary(
            e => (e.GetProperty("source").GetString()!, e.GetProperty("target").GetString()!),
            e =>
            {
                var served = e.GetProperty("serverLatency").ValueKind == JsonValueKind.Null ? e.GetProperty("clientLatency") : e.GetProperty("serverLatency");
                return new EdgeFigures(e.GetProperty("connectionType").GetString()!, e.GetProperty("callCount").GetInt64(),
                    e.GetProperty("errorCount").GetInt64(), served.GetProperty("mean").GetDouble(), served.GetProperty("p90").GetDouble());
            });
    }

    private sealed class MetricsFactory() : KestrelDepMapFactory("Http1");
}
