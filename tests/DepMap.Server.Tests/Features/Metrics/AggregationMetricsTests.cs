using System.Net;
using DepMap.Server.Tests.Aggregation;

namespace DepMap.Server.Tests.Features.Metrics;

/// <summary>depmap_aggregation_run_failures_total through <c>POST /api/aggregate</c>.</summary>
public sealed class AggregationMetricsTests
{
    [Fact]
    public async Task RunFailures_CountsTheFlush_WhenARunEndsWithAnError()
    {
        using var factory = new AggregationFactory();
        using var client = factory.CreateClient();
        Assert.True((await client.PostAsync("/v1/traces", ExampleTraces.Otlp(), "application/json")).IsSuccessStatusCode);
        var before = await MetricsText.ScrapeAsync(client);
        // The exactly-once tests' seam: the run fails inside its transaction, as a storage error
        // would, without waiting out SQLite's 30 s busy handler behind a held lock.
        factory.Faults.BeforeCommit = _ => throw new InvalidOperationException("the batch's commit failed");

        var failed = await client.PostAsync("/api/aggregate?flush=true", null);

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        var after = await MetricsText.ScrapeAsync(client);
        Assert.Equal(1, after.Increase(before, "depmap_aggregation_run_failures_total{kind=\"flush\"}"));
        Assert.Equal(0, after.Increase(before, "depmap_aggregation_run_failures_total{kind=\"recurring\"}"));
        // A failed run is not a run: its time and its traces are not counted.
        Assert.Equal(0, after.Increase(before, "depmap_aggregation_run_seconds_count{kind=\"flush\"}"));
        Assert.Equal(0, after.Increase(before, "depmap_aggregation_traces_linked_total"));

        factory.Faults.BeforeCommit = null;
        await factory.AggregateAsync();
        var again = await MetricsText.ScrapeAsync(client);
        Assert.Equal(0, again.Increase(after, "depmap_aggregation_run_failures_total{kind=\"flush\"}"));
        Assert.Equal(1, again.Increase(after, "depmap_aggregation_run_seconds_count{kind=\"flush\"}"));
    }
}
