using System.Text.Json;
using DepMap.Demo;
using OpenTelemetry.Exporter;

namespace DepMap.Server.Tests.Features.Demo;

/// <summary>
/// The demo's simulated systems sent through the real OpenTelemetry SDK, over gRPC and over
/// HTTP/protobuf, to a real DepMap on 127.0.0.1, then aggregated with a flush: the graph holds
/// everything the systems are made to show.
/// </summary>
public sealed class DemoTrafficTests
{
    private static readonly TimeSpan ChangeAfter = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task Demo_DrawsEveryKindOfNodeAndEdge_WhenSentOverGrpc()
    {
        using var factory = new GrpcDepMapFactory();
        await AssertDemoGraphAsync(factory.Address, OtlpExportProtocol.Grpc);
    }

    [Fact]
    public async Task Demo_DrawsEveryKindOfNodeAndEdge_WhenSentOverHttpProtobuf()
    {
        using var factory = new HttpDepMapFactory();
        await AssertDemoGraphAsync(factory.Address, OtlpExportProtocol.HttpProtobuf);
    }

    private static async Task AssertDemoGraphAsync(Uri address, OtlpExportProtocol protocol)
    {
        var lines = new List<string>();
        var totals = await DemoRunner.RunAsync(new DemoSettings
        {
            Endpoint = address,
            Protocol = protocol,
            Duration = TimeSpan.FromSeconds(8),
            ChangeAfter = ChangeAfter,
            TracesPerSecond = 60,
        }, lines.Add, CancellationToken.None);
        Assert.True(totals.Delivered, string.Join('\n', lines));
        Assert.Contains(lines, l => l.Contains("change: thirty: cart now calls recommendations", StringComparison.Ordinal));

        using var client = DemoGraph.Client(address, protocol);
        using (var flushed = await client.PostAsync("/api/aggregate?flush=true", null))
        {
            Assert.True(flushed.IsSuccessStatusCode, await flushed.Content.ReadAsStringAsync());
        }
        var graph = await DemoGraph.GetJsonAsync(client, "/graph.json");

        // Every service of both systems, each in its namespace.
        Assert.Superset(DemoGraph.ThirtyServices.Append("logistics").Append("tracking").ToHashSet(), DemoGraph.ServiceNames(graph).ToHashSet());
        foreach (var service in DemoSystems.Thirty.Services.Values.Concat(DemoSystems.Logistics.Services.Values))
        {
            Assert.Equal(service.Namespace, DemoGraph.Node(graph, service.Name).GetProperty("namespace").GetString());
        }
        // The article's example: logistics calls tracking, each queries its own database.
        Assert.Equal("", DemoGraph.Edge(graph, "logistics", "tracking").GetProperty("connectionType").GetString());
        AssertDatabase(graph, "logistics", "logistics-db");
        AssertDatabase(graph, "tracking", "tracking-db");
        AssertDatabase(graph, "orders", "orders-db");
        AssertDatabase(graph, "ledger", "ledger-db");
        AssertDatabase(graph, "sessions", "sessions-cache");
        // The queue: the producer's service to the consumer's, through Kafka, with its delay.
        var queue = DemoGraph.Edge(graph, "orders", "notifications");
        Assert.Equal(("messaging_system", "kafka", "order-events"), (queue.GetProperty("connectionType").GetString(),
            queue.GetProperty("broker").GetString(), queue.GetProperty("destination").GetString()));
        Assert.Equal(JsonValueKind.Object, queue.GetProperty("queueDelay").ValueKind);
        // The payment API reports nothing: a node named by the client alone.
        Assert.Equal("external", DemoGraph.Node(graph, DemoSystems.ExternalPeer).GetProperty("type").GetString());
        Assert.Equal("virtual_node", DemoGraph.Edge(graph, "payments", DemoSystems.ExternalPeer).GetProperty("connectionType").GetString());
        // The one cycle.
        var cycle = Assert.Single(graph.GetProperty("cycles").EnumerateArray());
        Assert.Equal(["orders", "payments"], cycle.EnumerateArray().Select(n => n.GetString()!).Order(StringComparer.Ordinal));
        // The new dependency exists, and only from the change on: a trace is sent when it ends, and
        // none lasts 2 s, while the run's busiest edge was there from its first seconds.
        var changedAt = Assert.NotNull(totals.ChangedAt) - TimeSpan.FromSeconds(2);
        var added = DemoGraph.Edge(graph, DemoSystems.ChangeCaller, DemoSystems.ChangeCallee);
        Assert.True(added.GetProperty("firstSeen").GetDateTimeOffset() >= changedAt, $"{added.GetProperty("firstSeen")} is before {changedAt:O}");
        var before = DemoGraph.Edge(graph, "user", "gateway").GetProperty("firstSeen").GetDateTimeOffset();
        Assert.True(before < changedAt, $"{before:O} is not before {changedAt:O}");

        // The failing deep service leads the ranking.
        var ranking = await DemoGraph.GetJsonAsync(client, "/services/ranking");
        Assert.True(ranking[0].GetProperty("service").GetString() == DemoSystems.FailingService,
            string.Join('\n', ranking.EnumerateArray().Take(3).Select(r => $"{r.GetProperty("service")}: {r.GetProperty("score")} {r.GetProperty("explanation")}"))
            + "\n" + string.Join('\n', lines));
    }

    private static void AssertDatabase(JsonElement graph, string service, string database)
    {
        Assert.Equal("database", DemoGraph.Node(graph, database).GetProperty("type").GetString());
        Assert.Equal("database", DemoGraph.Edge(graph, service, database).GetProperty("connectionType").GetString());
    }
}
