using System.Net;
using DepMap.Server.Tests.Features.Graph;

namespace DepMap.Server.Tests.Features.Services;

[Collection(ServerCollection.Name)]
public class ServiceParameterTests(DepMapFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    [Theory]
    [InlineData("/services?lookback=forever", "lookback", "is not a duration")]
    [InlineData("/services?from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z", "from", "must be before to")]
    [InlineData("/services/orders?lookback=0m", "lookback", "shorter than 1m")]
    [InlineData("/services/a%07b", "name", "is not a service name")]
    [InlineData("/services/ranking?lookback=1h&from=2025-01-01T00:00:00Z", "lookback", "cannot be combined with from")]
    [InlineData("/services/ranking.csv?to=noon", "to", "is not an ISO 8601 time")]
    public async Task GetServices_Returns400NamingTheParameter_WhenAParameterIsInvalid(string path, string parameter, string reason)
    {
        var response = await _client.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await GraphParameterTests.ProblemAsync(response);
        Assert.StartsWith(parameter + ": ", problem.Detail);
        Assert.Contains(reason, problem.Detail);
    }

    [Fact]
    public async Task GetService_Returns404NamingTheServiceAndWindow_WhenItHadNoTraffic()
    {
        var response = await _client.GetAsync("/services/no-such-service?from=2025-01-01T00:00:00Z&to=2025-01-01T01:00:00Z");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(
            "name: no service 'no-such-service' sent or received calls between 2025-01-01T00:00:00Z and 2025-01-01T01:00:00Z",
            (await GraphParameterTests.ProblemAsync(response)).Detail);
    }
}
