using System.Net;
using System.Text.Json;

namespace DepMap.Server.Tests.Features.Graph;

[Collection(ServerCollection.Name)]
public class GraphParameterTests(DepMapFactory factory)
{
    private static readonly string LongName = new('a', 257);

    private readonly HttpClient _client = factory.CreateClient();

    [Theory]
    [InlineData("lookback=abc", "lookback", "is not a duration")]
    [InlineData("lookback=1x", "lookback", "is not a duration")]
    [InlineData("lookback=-1h", "lookback", "is not a duration")]
    [InlineData("lookback=30s", "lookback", "shorter than 1m")]
    [InlineData("lookback=401d", "lookback", "longer than 400d")]
    [InlineData("lookback=99999999w", "lookback", "longer than 400d")]
    [InlineData("lookback=1h&lookback=2h", "lookback", "given 2 times")]
    [InlineData("lookback=1h&from=2025-01-01T00:00:00Z", "lookback", "cannot be combined with from")]
    [InlineData("from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z", "from", "must be before to")]
    [InlineData("from=2025-01-01T00:00:00Z&to=2025-01-01T00:00:00Z", "from", "must be before to")]
    [InlineData("from=yesterday", "from", "is not an ISO 8601 time")]
    [InlineData("from=01/02/2025", "from", "is not an ISO 8601 time")]
    [InlineData("to=2025-13-01T00:00:00Z", "to", "is not an ISO 8601 time")]
    [InlineData("from=2020-01-01T00:00:00Z&to=2025-01-01T00:00:00Z", "from", "at most 400 days")]
    [InlineData("focus=orders&depth=-1", "depth", "is not a whole number from 0 to 32")]
    [InlineData("focus=orders&depth=33", "depth", "is not a whole number from 0 to 32")]
    [InlineData("focus=orders&depth=99999999999999999999", "depth", "is not a whole number from 0 to 32")]
    [InlineData("focus=orders&depth=two", "depth", "is not a whole number from 0 to 32")]
    [InlineData("depth=2", "depth", "applies only with focus")]
    [InlineData("direction=upstream", "direction", "applies only with focus")]
    [InlineData("focus=orders&direction=sideways", "direction", "is not one of upstream, downstream, both")]
    [InlineData("focus=", "focus", "must not be empty")]
    [InlineData("focus=a%01b", "focus", "contains control characters")]
    [InlineData("focus=a%0Ab", "focus", "contains control characters")]
    [InlineData("minCalls=-5", "minCalls", "is not a whole number, 0 or more")]
    [InlineData("minCalls=many", "minCalls", "is not a whole number, 0 or more")]
    public async Task GetGraph_Returns400NamingTheParameter_WhenAParameterIsInvalid(string query, string parameter, string reason)
    {
        foreach (var path in new[] { "/graph.json", "/graph.dot", "/graph.svg", "/graph.mmd" })
        {
            var response = await _client.GetAsync($"{path}?{query}");

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await ProblemAsync(response);
            Assert.StartsWith(parameter + ": ", problem.Detail);
            Assert.Contains(reason, problem.Detail);
            Assert.Equal(parameter, problem.Parameter);
        }
    }

    [Fact]
    public async Task GetGraph_Returns400WithTheLength_WhenFocusIsTooLong()
    {
        var response = await _client.GetAsync($"/graph.json?focus={LongName}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("focus: is 257 characters long; at most 256", (await ProblemAsync(response)).Detail);
    }

    [Fact]
    public async Task GetGraph_EchoesControlCharactersEscaped_WhenRefusingThem()
    {
        var response = await _client.GetAsync("/graph.json?focus=a%1B%5B31mb");

        Assert.Equal(@"focus: 'a\u001b[31mb' contains control characters", (await ProblemAsync(response)).Detail);
    }

    [Theory]
    [InlineData("lookback=15m")]
    [InlineData("lookback=7d")]
    [InlineData("from=2025-01-01T10:00:00Z&to=2025-01-01T11:00:00Z")]
    [InlineData("from=2025-01-01&to=2025-01-01T10:00")]
    [InlineData("to=2025-01-01T11:00:00.123+02:00&lookback=2h")]
    public async Task GetGraph_Returns200_WhenParametersAreValid(string query)
    {
        var response = await _client.GetAsync($"/graph.json?{query}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task GetGraph_ReadsAnUnencodedPlusAsTheOffset_WhenItArrivesAsASpace()
    {
        // "+02:00" sent unencoded in a query string arrives as " 02:00".
        var response = await _client.GetAsync("/graph.json?from=2025-01-01T10:00:00+02:00&to=2025-01-01T08:00:00Z");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("from: must be before to (2025-01-01T08:00:00Z is not before 2025-01-01T08:00:00Z)", (await ProblemAsync(response)).Detail);
    }

    [Fact]
    public async Task GetGraph_RunsToNow_WhenOnlyFromIsGiven()
    {
        var from = DateTimeOffset.UtcNow.AddHours(-2).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

        var response = await _client.GetAsync($"/graph.json?from={from}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    internal sealed record Problem(string Detail, string? Parameter);

    internal static async Task<Problem> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        return new Problem(
            root.GetProperty("detail").GetString() ?? "",
            root.TryGetProperty("parameter", out var parameter) ? parameter.GetString() : null);
    }
}
