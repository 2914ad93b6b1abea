using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DepMap.Server.Tests.Hosting;
using DepMap.Storage.PostgreSql.Aggregation;
using DepMap.Tests.Shared.PostgreSql;

namespace DepMap.Server.Tests.Aggregation;

/// <summary>
/// The ingest wake with several instances on PostgreSQL (issue 15): a wake that finds another
/// instance's run holding the store does nothing, and that run may have read before this
/// instance's commit, so the wake tries again rather than leave the spans to the recurring job.
/// </summary>
[Trait("Provider", "PostgreSql")]
public class PostgreSqlWakeTests
{
    [Fact]
    public async Task AWakeThatFindsAnotherInstancesRunUnderWay_TriesAgain_AndLinksItsSpansOnceThatRunEnds()
    {
        await using var database = await PostgresDatabase.CreateEmptyAsync();
        await using var factory = new PostgreSqlDepMapFactory(database.ConnectionString, new()
        {
            ["Aggregation:WakeOnIngest"] = "true",
            ["Aggregation:SettleSeconds"] = "0",
            ["Aggregation:WakeIntervalSeconds"] = "1",
            // Never: only the wake runs, so nothing else can link the spans.
            ["Aggregation:Cron"] = "0 0 31 2 *",
        });
        using var client = factory.CreateClient();

        // Another instance's run: it holds the store for as long as this test says.
        var otherRun = await PostgreSqlAggregationStore.HoldLockAsync(database.ConnectionString, CancellationToken.None);
        try
        {
            // One request, so one commit and one wake: no later commit can wake another run.
            var response = await client.PostAsync("/v1/traces", new ByteArrayContent(ExampleTraces.Otlp())
            {
                Headers = { ContentType = new("application/json") },
            });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            // The commit's wake has run and found the store held.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (await RecurringRunsAsync(client) < 1)
            {
                Assert.True(DateTime.UtcNow < deadline, "the commit woke no aggregation run");
                await Task.Delay(100);
            }
            Assert.Equal(0, await CallsAsync(client));
        }
        finally
        {
            await otherRun.DisposeAsync();
        }

        var linkedBy = DateTime.UtcNow.AddSeconds(20);
        while (await CallsAsync(client) < 1)
        {
            Assert.True(DateTime.UtcNow < linkedBy, "the deferred wake never ran again: the spans wait for the recurring job");
            await Task.Delay(200);
        }
        Assert.Equal(1, await CallsAsync(client));
    }

    // Runs the wake has made, deferred or not, from DepMap's own metrics.
    private static async Task<double> RecurringRunsAsync(HttpClient client)
    {
        var metrics = await client.GetStringAsync("/metrics");
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("depmap_aggregation_run_seconds_count{kind=\"recurring\"}", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<long> CallsAsync(HttpClient client)
    {
        using var graph = await client.GetFromJsonAsync<JsonDocument>("/graph.json?from=2025-01-01T00:00:00Z&to=2025-01-01T01:00:00Z");
        return graph!.RootElement.GetProperty("edges").EnumerateArray()
            .Where(e => e.GetProperty("source").GetString() == "logistics" && e.GetProperty("target").GetString() == "tracking")
            .Sum(e => e.GetProperty("callCount").GetInt64());
    }
}
