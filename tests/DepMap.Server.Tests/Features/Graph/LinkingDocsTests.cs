using System.Net.Http.Headers;
using DepMap.Server.Tests.Aggregation;
using DepMap.Tests.Shared;

namespace DepMap.Server.Tests.Features.Graph;

/// <summary>docs/linking.md through the service: each example file ingested over OTLP/HTTP, aggregated, read from /graph.json and /api/v2/dependencies.</summary>
public class LinkingDocsTests
{
    internal const string Window = "from=2025-01-01T00:00:00Z&to=2025-01-01T01:00:00Z";
    // 2025-01-01T01:00:00Z and one hour back, in milliseconds.
    internal const string ZipkinWindow = "endTs=1735693200000&lookback=3600000";

    public static TheoryData<string> Files => [.. LinkingDocs.Examples().Select(e => e.File)];

    [Theory]
    [MemberData(nameof(Files))]
    public async Task GraphJson_HasTheEdgesTheLinkingPageStates_WhenTheExampleIsIngestedAndAggregated(string file)
    {
        var example = LinkingDocs.Examples().Single(e => e.File == file);
        using var factory = new AggregationFactory();
        await PostAsync(factory, await File.ReadAllBytesAsync(LinkingDocs.ExampleFile(file)));

        await factory.AggregateAsync();

        Assert.Equal(example.Edges, await EdgesAsync(factory));
        if (example.ZipkinLinks is { } links)
        {
            using var client = factory.CreateClient();
            Assert.Equal(links, LinkingDocs.ZipkinLines(await client.GetStringAsync($"/api/v2/dependencies?{ZipkinWindow}")));
        }
    }

    internal static async Task PostAsync(AggregationFactory factory, byte[] otlpJson)
    {
        using var client = factory.CreateClient();
        using var content = new ByteArrayContent(otlpJson);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var response = await client.PostAsync("/v1/traces", content);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    internal static async Task<IReadOnlyList<string>> EdgesAsync(AggregationFactory factory)
    {
        using var client = factory.CreateClient();
        return LinkingDocs.EdgeLines(await client.GetStringAsync($"/graph.json?{Window}"));
    }
}
