using System.Net;
using DepMap.Core.Linking;
using DepMap.Core.Statistics;
using DepMap.Storage;
using DepMap.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;

namespace DepMap.Server.Tests.Hosting;

/// <summary>The host on PostgreSQL aggregates what it ingested, through the same request as on SQLite.</summary>
[Trait("Provider", "PostgreSql")]
public class PostgreSqlAggregationHostTests(PostgreSqlHost host) : IClassFixture<PostgreSqlHost>
{
    [Fact]
    public async Task PostAggregate_LinksEveryAcknowledgedTraceOnce_WhenProviderIsPostgreSql()
    {
        const int traces = 120;
        LogisticsTraffic.Send(host.Factory.Address, OtlpExportProtocol.HttpProtobuf, traces, fails: i => i % 4 == 0);
        using var client = host.Factory.CreateClient();

        var first = await client.PostAsync("/api/aggregate?flush=true", null);
        var second = await client.PostAsync("/api/aggregate?flush=true", null);
        using var scope = host.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<DepMapDbContext>();
        var statistics = await db.ReadGraphStatisticsAsync(LogisticsTraffic.DefaultStart.AddHours(-1), LogisticsTraffic.DefaultStart.AddHours(1));
        var edge = statistics.Edges[new EdgeKey("logistics", "tracking", ConnectionType.None)];

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal((traces, traces / 4), (edge.CallCount, edge.ErrorCount));
    }
}
