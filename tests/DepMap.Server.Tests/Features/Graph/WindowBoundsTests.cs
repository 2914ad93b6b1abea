using System.Net;
using System.Net.Http.Json;

namespace DepMap.Server.Tests.Features.Graph;

/// <summary>
/// Windows at the ends of the calendar: DateTimeOffset starts at year 1 and ends at 9999, so a
/// window computed past either end must be refused by name, on every endpoint that takes one.
/// </summary>
[Collection(ServerCollection.Name)]
public class WindowBoundsTests(DepMapFactory factory)
{
    private static readonly string[] WindowEndpoints =
    [
        "/graph.json", "/graph.dot", "/graph.svg", "/graph.mmd", "/services", "/services/ranking",
        "/services/ranking.csv", "/services/orders", "/graph/snapshot.json",
    ];

    private readonly HttpClient _client = factory.CreateClient();

    [Theory]
    [InlineData("to=0001-01-01T00:00:00Z", "to")]
    [InlineData("to=0001-01-01T00:30:00Z", "to")]
    [InlineData("to=0001-01-02T00:00:00Z&lookback=2d", "to")]
    public async Task WindowEndpoints_Return400NamingTo_WhenTheWindowStartsBeforeYearOne(string query, string parameter)
    {
        foreach (var path in WindowEndpoints)
        {
            var response = await _client.GetAsync($"{path}?{query}");

            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}?{query}: {(int)response.StatusCode}");
            Assert.StartsWith(parameter + ": ", await response.ProblemDetailAsync());
        }
    }

    [Fact]
    public async Task TakeSnapshot_Returns400NamingTo_WhenTheWindowStartsBeforeYearOne()
    {
        var response = await _client.PostAsJsonAsync("/snapshots", new { to = "0001-01-01T00:00:00Z" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("to: the window would start before 0001-01-01", await response.ProblemDetailAsync());
    }

    [Theory]
    [InlineData("from=9999-12-31T00:00:00Z&to=9999-12-31T23:59:59Z")]
    [InlineData("to=9999-12-31T23:59:59.9999999Z")]
    [InlineData("from=0001-01-01T00:00:00Z&to=0001-01-01T01:00:00Z")]
    public async Task WindowEndpoints_AnswerWithoutError_WhenTheWindowTouchesTheCalendarsEnds(string query)
    {
        foreach (var path in WindowEndpoints.Where(p => p != "/services/orders"))
        {
            var response = await _client.GetAsync($"{path}?{query}");

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}?{query}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
