using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DepMap.Server.Tests.Faults;
using DepMap.Tests.Shared.PostgreSql;

namespace DepMap.Server.Tests.Hosting;

/// <summary>
/// One SQLite host and one PostgreSQL host fed the same spans and flushed: every read endpoint
/// (graph, services, ranking, Zipkin and Jaeger dependencies, snapshots and their files, the diff
/// of two snapshots) answers the same on both. Only what names the moment or the row differs (a
/// snapshot's id and when it was taken), and those are left out of the comparison.
/// </summary>
public sealed class ProviderPair : IAsyncLifetime
{
    public const int Batches = 20;

    public DepMapFactory Sqlite { get; } = new();

    public PostgresDatabase Database { get; private set; } = null!;

    public PostgreSqlDepMapFactory PostgreSql { get; private set; } = null!;

    internal FaultTraffic Traffic { get; } = new(seed: 1203);

    public async Task InitializeAsync()
    {
        Database = await PostgresDatabase.CreateEmptyAsync();
        PostgreSql = new PostgreSqlDepMapFactory(Database.ConnectionString);
        foreach (var host in (DepMapFactory[])[Sqlite, PostgreSql])
        {
            using var client = host.CreateClient();
            for (var batch = 0; batch < Batches; batch++)
            {
                using var content = new ByteArrayContent(Traffic.Batch(batch));
                content.Headers.ContentType = new("application/json");
                Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/v2/spans", content)).StatusCode);
            }
            var flush = await client.PostAsync("/api/aggregate?flush=true", null);
            Assert.True(flush.IsSuccessStatusCode, await flush.Content.ReadAsStringAsync());
        }
    }

    public async Task DisposeAsync()
    {
        Sqlite.Dispose();
        await PostgreSql.DisposeAsync();
        await Database.DisposeAsync();
    }
}

[Trait("Provider", "PostgreSql")]
public sealed class ProviderEndpointTests(ProviderPair pair) : IClassFixture<ProviderPair>
{
    private static readonly string Window = Query(FaultTraffic.Window.From, FaultTraffic.Window.To);

    [Theory]
    [InlineData("/graph.json")]
    [InlineData("/graph.dot")]
    [InlineData("/graph.mmd")]
    [InlineData("/services")]
    [InlineData("/services/orders")]
    [InlineData("/services/ranking")]
    [InlineData("/services/ranking.csv")]
    [InlineData("/services/orders/series")]
    public async Task ReadEndpoint_AnswersTheSameOnPostgreSqlAsOnSqlite(string path)
    {
        var (sqlite, postgreSql) = await BothAsync(client => client.GetAsync(path + Window));

        // Not an empty answer: each names a service of the traffic or counts its calls.
        Assert.Matches("orders|gateway|\"calls\":[1-9]", sqlite);
        Assert.Equal(sqlite, postgreSql);
    }

    [Fact]
    public async Task ZipkinAndJaegerDependencies_AreTheSameOnPostgreSqlAsOnSqlite()
    {
        var end = FaultTraffic.Window.To.ToUnixTimeMilliseconds();
        var lookback = (long)(FaultTraffic.Window.To - FaultTraffic.Window.From).TotalMilliseconds;
        foreach (var path in (string[])[$"/api/v2/dependencies?endTs={end}&lookback={lookback}", $"/api/dependencies?endTs={end}&lookback={lookback}"])
        {
            var (sqlite, postgreSql) = await BothAsync(client => client.GetAsync(path));

            Assert.Contains("gateway", sqlite, StringComparison.Ordinal);
            Assert.Equal(sqlite, postgreSql);
        }
    }

    [Fact]
    public async Task Snapshots_TheirFilesAndTheirDiff_AreTheSameOnPostgreSqlAsOnSqlite()
    {
        var (from, to) = FaultTraffic.Window;
        var middle = from.AddMinutes(5);

        var sqlite = await SnapshotsAsync(pair.Sqlite, from, middle, to);
        var postgreSql = await SnapshotsAsync(pair.PostgreSql, from, middle, to);

        Assert.Contains("orders", sqlite, StringComparison.Ordinal);
        Assert.Equal(sqlite, postgreSql);
    }

    /// <summary>Two snapshots (the first half of the window, then all of it), their JSON and DOT files and their diff, with ids and times left out.</summary>
    private static async Task<string> SnapshotsAsync(DepMapFactory host, DateTimeOffset from, DateTimeOffset middle, DateTimeOffset to)
    {
        using var client = host.CreateClient();
        var text = new StringBuilder();
        var ids = new List<long>();
        foreach (var (end, label) in ((DateTimeOffset, string)[])[(middle, "first-half"), (to, "whole")])
        {
            var body = $$"""{"from":"{{from:O}}","to":"{{end:O}}","label":"{{label}}"}""";
            var taken = await client.PostAsync("/snapshots", new StringContent(body, Encoding.UTF8, "application/json"));
            var answer = await taken.Content.ReadAsStringAsync();
            Assert.True(taken.IsSuccessStatusCode, answer);
            var snapshot = JsonNode.Parse(answer)!.AsObject();
            ids.Add(snapshot["id"]!.GetValue<long>());
            text.AppendLine(Stable(snapshot));
            foreach (var format in (string[])["json", "dot"])
            {
                text.AppendLine(await client.GetStringAsync($"/snapshots/{ids[^1]}.{format}"));
            }
        }
        text.AppendLine(await client.GetStringAsync($"/snapshots/{ids[1]}/diff/{ids[0]}.json"));
        // The ids differ between the two stores' sequences; what they name is compared above.
        return text.ToString().Replace($"/{ids[0]}", "/first", StringComparison.Ordinal).Replace($"/{ids[1]}", "/whole", StringComparison.Ordinal);
    }

    /// <summary>A snapshot's description without its id, its file names and the time it was taken.</summary>
    private static string Stable(JsonObject snapshot)
    {
        foreach (var key in snapshot.Select(p => p.Key).ToList())
        {
            if (key is "id" or "takenAt" or "createdAt" or "files" or "jsonFile" or "dotFile" or "svgFile" or "links")
            {
                snapshot.Remove(key);
            }
        }
        return snapshot.ToJsonString();
    }

    private async Task<(string Sqlite, string PostgreSql)> BothAsync(Func<HttpClient, Task<HttpResponseMessage>> request)
    {
        using var sqlite = pair.Sqlite.CreateClient();
        using var postgreSql = pair.PostgreSql.CreateClient();
        var a = await request(sqlite);
        var b = await request(postgreSql);
        Assert.Equal(HttpStatusCode.OK, a.StatusCode);
        Assert.Equal(HttpStatusCode.OK, b.StatusCode);
        return (await a.Content.ReadAsStringAsync(), await b.Content.ReadAsStringAsync());
    }

    private static string Query(DateTimeOffset from, DateTimeOffset to) =>
        $"?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}";
}
