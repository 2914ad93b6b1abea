using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DepMap.Core.Statistics;
using DepMap.Storage;
using DepMap.Storage.PostgreSql;
using DepMap.Storage.Spans;
using DepMap.Tests.Shared.PostgreSql;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace DepMap.Server.Tests.Faults;

/// <summary>
/// Two real DepMap server processes on one PostgreSQL database, each taking half the spans of the
/// same traces (clients to one, servers to the other), one of them SIGKILLed during ingest and a
/// third during a flush; the survivor finishes. The statistics equal those of one SQLite server fed
/// every batch once: none lost, none counted twice, whichever instance took a span in.
/// </summary>
[Trait("Category", "Faults")]
[Collection(FaultsCollection.Name)]
public sealed class PostgreSqlInstancesTests
{
    private const int Batches = 30;

    [Fact]
    public async Task Statistics_EqualOneSqliteServers_WhenTwoInstancesSplitTracesAndInstancesAreKilled()
    {
        var traffic = new FaultTraffic(FaultSeed.Value + 7, tracesPerBatch: 100);
        var database = await PostgresDatabase.CreateEmptyAsync();
        try
        {
            // An hour's settle time: the recurring runs (woken by ingest) take the lock and read the
            // tail while spans arrive, but leave the linking to the flushes below.
            string[] postgres = ["--Storage:Provider=PostgreSql", $"--ConnectionStrings:DepMap={database.ConnectionString}", "--Aggregation:SettleSeconds=3600"];
            var random = new Random(FaultSeed.Value + 7);
            using var b = await ServerProcess.StartAsync(DepMapFactory.NewFolder(), postgres);
            // Today's span partition exists before two instances write: created by both at once it
            // failed one commit with 42P07 "already exists" (depmap_span_partition's re-check after its
            // advisory lock can miss the other's table; reported to the provider's owner).
            await CreateDayPartitionsAsync(database);
            var retry = new List<byte[]>();
            using (var a = await ServerProcess.StartAsync(DepMapFactory.NewFolder(), postgres))
            {
                // Ingest on both; A is killed after a seeded number of its acknowledgements, and what
                // it did not acknowledge is sent again to B, as a client retries.
                var killAfter = random.Next(5, 20);
                using var clientA = a.Client(TimeSpan.FromSeconds(30));
                using var clientB = b.Client(TimeSpan.FromSeconds(30));
                var acknowledgedByA = 0;
                for (var batch = 0; batch < Batches; batch++)
                {
                    var (toA, toB) = Split(traffic.Batch(batch));
                    var sentA = PostAsync(clientA, toA);
                    Assert.Equal(HttpStatusCode.Accepted, await PostAsync(clientB, toB));
                    if (await sentA == HttpStatusCode.Accepted)
                    {
                        acknowledgedByA++;
                    }
                    else
                    {
                        retry.Add(toA);
                    }
                    if (acknowledgedByA == killAfter && !a.HasExited)
                    {
                        a.Kill();
                    }
                }
            }
            using (var clientB = b.Client())
            {
                foreach (var half in retry)
                {
                    Assert.Equal(HttpStatusCode.Accepted, await PostAsync(clientB, half));
                }
            }
            Assert.NotEmpty(retry);

            // A third instance starts a flush and is killed during it; B's flush finishes the work.
            // Small batches, so the kill most likely falls between two of its commits.
            using (var c = await ServerProcess.StartAsync(DepMapFactory.NewFolder(), [.. postgres, "--Aggregation:SpanBatchSize=500"]))
            {
                using var clientC = c.Client();
                var flush = clientC.PostAsync("/api/aggregate?flush=true", null);
                await Task.Delay(random.Next(50, 400));
                var killedDuringFlush = !flush.IsCompleted;
                c.Kill();
                if (killedDuringFlush)
                {
                    await Assert.ThrowsAnyAsync<Exception>(() => flush);
                }
            }
            using (var clientB = b.Client())
            {
                Assert.Equal(HttpStatusCode.OK, (await clientB.PostAsync("/api/aggregate?flush=true", null)).StatusCode);
            }

            var options = new DbContextOptionsBuilder<DepMapDbContext>().UseDepMapPostgreSql(database.ConnectionString).Options;
            var expected = await SqliteStatisticsAsync(traffic);
            await using var db = new DepMapDbContext(options);
            var actual = await db.ReadGraphStatisticsAsync(FaultTraffic.Window.From, FaultTraffic.Window.To);
            Assert.Equal(Describe(expected), Describe(actual));
            Assert.Equal(Batches * traffic.SpansPerBatch, await DistinctSpansAsync(database));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await database.DisposeAsync();
        }
    }

    private static async Task CreateDayPartitionsAsync(PostgresDatabase database)
    {
        await using var connection = await database.ConnectAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var at in (long[])[now, now + 86_400_000])
        {
            await using var command = new NpgsqlCommand("SELECT depmap_span_partition(@at)", connection);
            command.Parameters.AddWithValue("at", at);
            await command.ExecuteScalarAsync();
        }
    }

    /// <summary>Spans stored, a span stored twice counted once (a half A committed but whose answer died with it is sent again to B).</summary>
    private static async Task<long> DistinctSpansAsync(PostgresDatabase database)
    {
        await using var connection = await database.ConnectAsync();
        await using var command = new NpgsqlCommand("SELECT count(DISTINCT (trace_id_low, data)) FROM spans", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>One SQLite server fed every batch whole, once, then flushed.</summary>
    private static async Task<GraphStatistics> SqliteStatisticsAsync(FaultTraffic traffic)
    {
        var folder = DepMapFactory.NewFolder();
        using (var server = await ServerProcess.StartAsync(folder))
        {
            using var client = server.Client();
            for (var batch = 0; batch < Batches; batch++)
            {
                Assert.Equal(HttpStatusCode.Accepted, await PostAsync(client, traffic.Batch(batch)));
            }
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/aggregate?flush=true", null)).StatusCode);
        }
        var options = new DbContextOptionsBuilder<DepMapDbContext>().UseDepMapSqlite($"Data Source={ServerProcess.DatabasePath(folder)};Pooling=false").Options;
        await using var db = new DepMapDbContext(options);
        return await db.ReadGraphStatisticsAsync(FaultTraffic.Window.From, FaultTraffic.Window.To);
    }

    /// <summary>Every edge and node with its serialised statistics (counts, errors, latency sketches).</summary>
    private static List<string> Describe(GraphStatistics statistics) =>
        [.. statistics.Edges.Values.Select(e => $"{e.Key} {e.CallCount} {e.ErrorCount} {Convert.ToHexString(e.Serialize())}")
            .Concat(statistics.Nodes.Values.Select(n => $"{n.Name} {Convert.ToHexString(n.Serialize())}"))
            .Order(StringComparer.Ordinal)];

    /// <summary>A batch's client spans (for one instance) and its server spans (for the other).</summary>
    private static (byte[] Clients, byte[] Servers) Split(byte[] batch)
    {
        var spans = JsonNode.Parse(batch)!.AsArray();
        var clients = new JsonArray();
        var servers = new JsonArray();
        foreach (var span in spans.ToList())
        {
            spans.Remove(span);
            (span!["kind"]!.GetValue<string>() == "SERVER" ? servers : clients).Add(span);
        }
        return (Encoding.UTF8.GetBytes(clients.ToJsonString()), Encoding.UTF8.GetBytes(servers.ToJsonString()));
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient client, byte[] json)
    {
        try
        {
            using var content = new ByteArrayContent(json);
            content.Headers.ContentType = new("application/json");
            using var response = await client.PostAsync("/api/v2/spans", content);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            // The instance is gone: not acknowledged.
            return HttpStatusCode.ServiceUnavailable;
        }
    }
}
