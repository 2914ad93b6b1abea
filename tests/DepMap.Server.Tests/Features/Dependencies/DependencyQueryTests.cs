using System.Text.Json;
using DepMap.Server.Tests.Features.Graph;

namespace DepMap.Server.Tests.Features.Dependencies;

/// <summary>Zipkin Lens and Jaeger UI reading DepMap's dependency links for the SDK-sent example.</summary>
public class DependencyQueryTests
{
    // 2025-01-01T01:00:00Z, an hour after the example's first trace.
    private const long EndTs = 1_735_693_200_000;

    [Fact]
    public async Task GetZipkinDependencies_AnswersZipkinsJson_WhenTheWindowHoldsTheExample()
    {
        using var factory = await GraphQueryTests.AggregatedExampleAsync(traces: 3, fails: i => i == 1);

        var body = await factory.CreateClient().GetStringAsync($"/api/v2/dependencies?endTs={EndTs}&lookback=7200000");

        // Zipkin links instrumented RPCs (its databases need a remote service name), with errorCount
        // only when non-zero, byte for byte as Zipkin's own server writes it.
        Assert.Equal("""[{"parent":"logistics","child":"tracking","callCount":3,"errorCount":1}]""", body);
    }

    [Fact]
    public async Task GetZipkinDependencies_IsEmpty_WhenLookbackEndsBeforeTheTraffic()
    {
        using var factory = await GraphQueryTests.AggregatedExampleAsync(traces: 1);

        // The default lookback is one day, as Zipkin's: a day ending a minute before the traffic.
        var body = await factory.CreateClient().GetStringAsync($"/api/v2/dependencies?endTs={EndTs - 3_660_000}");

        Assert.Equal("[]", body);
    }

    [Fact]
    public async Task GetJaegerDependencies_AnswersJaegersStructuredResponse_WhenTheWindowHoldsTheExample()
    {
        using var factory = await GraphQueryTests.AggregatedExampleAsync(traces: 3, fails: i => i == 1);
        using var client = factory.CreateClient();

        // Without endTs Jaeger takes now (the fake clock, ten minutes after the traffic) and a day back.
        var body = await client.GetStringAsync("/api/dependencies");
        var filtered = await client.GetStringAsync("/api/dependencies?service=nobody");

        using var json = JsonDocument.Parse(body);
        Assert.Equal(
            """{"data":[{"parent":"logistics","child":"tracking","callCount":3}],"total":0,"limit":0,"offset":0,"errors":null}""",
            JsonSerializer.Serialize(json.RootElement));
        Assert.Contains("\"data\":[]", filtered);
    }
}
