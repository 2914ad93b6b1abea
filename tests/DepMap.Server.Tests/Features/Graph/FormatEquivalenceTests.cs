using DepMap.Server.Tests.Aggregation;

namespace DepMap.Server.Tests.Features.Graph;

/// <summary>The same trace saved as OTLP JSON, a Zipkin v2 batch and a Jaeger UI download (docs/examples).</summary>
public class FormatEquivalenceTests
{
    private const string Window = "/graph.json?from=2024-12-31T23:00:00Z&to=2025-01-01T02:00:00Z";

    [Theory]
    [InlineData("/api/v2/spans", "logistics-tracking.zipkin.json")]
    [InlineData("/api/traces", "logistics-tracking.jaeger.json")]
    public async Task GetGraphJson_IsTheSameAsForOtlp_WhenTheTraceCameAsAnotherFormat(string path, string file)
    {
        var otlp = await GraphAfterAsync("/v1/traces", "logistics-tracking.otlp.json");

        var other = await GraphAfterAsync(path, file);

        Assert.Contains("\"logistics\"", otlp);
        Assert.Equal(otlp, other);
    }

    private static async Task<string> GraphAfterAsync(string path, string file)
    {
        using var factory = new AggregationFactory();
        using var client = factory.CreateClient();
        var body = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Examples", file));
        var response = await client.PostAsync(path, body, "application/json");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        await factory.AggregateAsync();
        return await client.GetStringAsync(Window);
    }
}
