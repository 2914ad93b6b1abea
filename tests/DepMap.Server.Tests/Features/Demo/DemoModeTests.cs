using System.Diagnostics;
using DepMap.Server.Features.Aggregation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;

namespace DepMap.Server.Tests.Features.Demo;

/// <summary>
/// <c>--demo</c> (Demo:Enabled): the server sends the simulated systems to its own OTLP port and
/// takes the faster schedule of appsettings.json's Demo:Overrides, so /graph.json
/// fills by itself, with no flush, while the test's own settings (its database) still win.
/// </summary>
public sealed class DemoModeTests
{
    [Fact]
    public async Task DemoMode_FillsTheGraphWithoutAFlush_WhenEnabled()
    {
        // No backlog: the schedule alone fills the graph.
        using var factory = new GrpcDepMapFactory(new() { ["Demo:Enabled"] = "true", ["Demo:Backlog"] = "0" });
        var address = factory.Address;
        var clock = Stopwatch.StartNew();

        var aggregation = factory.Services.GetRequiredService<IOptions<AggregationOptions>>().Value;
        Assert.Equal("*/5 * * * * *", aggregation.Cron);
        Assert.Contains(factory.StoreName, factory.Services.GetRequiredService<IConfiguration>().GetConnectionString("DepMap"), StringComparison.Ordinal);

        using var client = DemoGraph.Client(address, OtlpExportProtocol.Grpc);
        // Bounded: the default schedule (every 15 s) would also get there, later.
        await DemoGraph.WaitForThirtyServicesAsync(client, clock, TimeSpan.FromSeconds(120));
    }

    [Fact]
    public async Task DemoMode_LinksTheBacklogAtOnce_WhenTheSettleTimeIsLong()
    {
        // An hour's settle time: within the test only the backlog's own aggregation can link a trace.
        using var factory = new GrpcDepMapFactory(new() { ["Demo:Enabled"] = "true", ["Demo:Backlog"] = "100", ["Aggregation:SettleSeconds"] = "3600" });
        var address = factory.Address;
        var clock = Stopwatch.StartNew();

        using var client = DemoGraph.Client(address, OtlpExportProtocol.Grpc);
        await DemoGraph.WaitForThirtyServicesAsync(client, clock, TimeSpan.FromSeconds(90));
    }

    [Theory]
    [InlineData(null, null, "http://127.0.0.1:4317/", OtlpExportProtocol.Grpc)]
    [InlineData("http://0.0.0.0:5080", "Http1", "http://127.0.0.1:5080/", OtlpExportProtocol.HttpProtobuf)]
    [InlineData("http://127.0.0.1:9000", "Http2", "http://127.0.0.1:9000/", OtlpExportProtocol.Grpc)]
    public void OwnEndpoint_IsTheServersOtlpPort_WhenConfiguredSo(string? urls, string? protocols, string expected, OtlpExportProtocol protocol)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Http:Url"] = "http://127.0.0.1:5080",
            ["Kestrel:Endpoints:Http:Protocols"] = "Http1",
            ["Kestrel:Endpoints:OtlpGrpc:Url"] = "http://127.0.0.1:4317",
            ["Kestrel:Endpoints:OtlpGrpc:Protocols"] = "Http2",
            ["urls"] = urls,
            ["Kestrel:EndpointDefaults:Protocols"] = protocols,
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        string[] bound = urls is null ? ["http://127.0.0.1:5080", "http://127.0.0.1:4317"] : [urls];

        var own = DepMap.Server.Features.Demo.DemoTraffic.OwnEndpoint(configuration, bound);

        Assert.Equal((new Uri(expected), protocol), own);
    }
}
