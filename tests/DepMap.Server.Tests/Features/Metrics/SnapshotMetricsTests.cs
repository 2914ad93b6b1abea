using System.Net;
using System.Text;
using DepMap.Server.Tests.Aggregation;

namespace DepMap.Server.Tests.Features.Metrics;

/// <summary>depmap_snapshots_total through <c>POST /snapshots</c>.</summary>
public sealed class SnapshotMetricsTests
{
    private const string Window = "{\"from\":\"2024-12-31T23:00:00Z\",\"to\":\"2025-01-01T02:00:00Z\"}";

    [Fact]
    public async Task Snapshots_CountsChangedThenSameTopology_WhenTheSameWindowIsTakenTwice()
    {
        using var factory = NewFactory();
        using var client = factory.CreateClient();
        Assert.True((await client.PostAsync("/v1/traces", ExampleTraces.Otlp(), "application/json")).IsSuccessStatusCode);
        Assert.True((await client.PostAsync("/api/aggregate?flush=true", null)).IsSuccessStatusCode);
        var before = await MetricsText.ScrapeAsync(client);

        Assert.Equal(HttpStatusCode.Created, (await TakeAsync(client)).StatusCode);
        var first = await MetricsText.ScrapeAsync(client);
        Assert.Equal(HttpStatusCode.Created, (await TakeAsync(client)).StatusCode);
        var second = await MetricsText.ScrapeAsync(client);

        Assert.Equal(1, first.Increase(before, "depmap_snapshots_total{outcome=\"changed\"}"));
        Assert.Equal(0, first.Increase(before, "depmap_snapshots_total{outcome=\"same_topology\"}"));
        Assert.Equal(0, second.Increase(first, "depmap_snapshots_total{outcome=\"changed\"}"));
        Assert.Equal(1, second.Increase(first, "depmap_snapshots_total{outcome=\"same_topology\"}"));
        Assert.Equal(0, second.Increase(before, "depmap_snapshots_total{outcome=\"failed\"}"));
    }

    [Trait("Provider", "Sqlite")]
    [Fact]
    public async Task Snapshots_CountsFailed_WhenTheSnapshotRowCannotBeStored()
    {
        // Writes to the statistics file give up after one second instead of thirty.
        using var factory = NewFactory(";Default Timeout=1");
        using var client = factory.CreateClient();
        var before = await MetricsText.ScrapeAsync(client);

        HttpResponseMessage failed;
        using (await HoldWriteLockAsync(factory.DatabasePath))
        {
            failed = await TakeAsync(client);
        }

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        var after = await MetricsText.ScrapeAsync(client);
        Assert.Equal(1, after.Increase(before, "depmap_snapshots_total{outcome=\"failed\"}"));
        Assert.Equal(0, after.Increase(before, "depmap_snapshots_total{outcome=\"changed\"}"));
    }

    private static DepMapFactory NewFactory(string connectionOptions = "") => new(DepMapFactory.NewFolder(), ownsFolder: true, new()
    {
        // Hangfire's "never": only the test takes snapshots.
        ["Snapshots:Schedules:hourly:Cron"] = "0 0 31 2 *",
        ["Snapshots:Schedules:daily:Cron"] = "",
    }, connectionOptions);

    private static Task<HttpResponseMessage> TakeAsync(HttpClient client) =>
        client.PostAsync("/snapshots", new StringContent(Window, Encoding.UTF8, "application/json"));

    /// <summary>SQLite's write lock on <paramref name="path"/>, taken by a second connection until disposed.</summary>
    private static async Task<Microsoft.Data.Sqlite.SqliteConnection> HoldWriteLockAsync(string path)
    {
        var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE;";
        await begin.ExecuteNonQueryAsync();
        return connection;
    }
}
