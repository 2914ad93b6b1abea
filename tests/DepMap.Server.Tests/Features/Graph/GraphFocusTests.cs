using System.Net;

namespace DepMap.Server.Tests.Features.Graph;

/// <summary>A focus on a service the window does not have says so instead of drawing an empty graph.</summary>
[Collection(ServerCollection.Name)]
public class GraphFocusTests(DepMapFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task GetGraph_Answers404NamingFocus_WhenTheWindowHasNoSuchService()
    {
        // Every other parameter is valid: the answer is about the service, not the query.
        foreach (var path in new[] { "/graph.json", "/graph.svg", "/graph.dot", "/graph.mmd" })
        {
            var response = await _client.GetAsync($"{path}?focus=no-such-service&depth=0&direction=UPSTREAM&minCalls=10&from=2020-01-01T00:00:00Z&to=2020-01-01T01:00:00Z");

            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("focus: no service 'no-such-service' sent or received calls between 2020-01-01T00:00:00Z and 2020-01-01T01:00:00Z",
                await response.ProblemDetailAsync());
        }
    }
}
