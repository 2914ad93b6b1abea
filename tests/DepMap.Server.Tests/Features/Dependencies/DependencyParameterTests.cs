using System.Net;
using System.Text.Json;
using DepMap.Server.Tests.Features.Graph;

namespace DepMap.Server.Tests.Features.Dependencies;

[Collection(ServerCollection.Name)]
public class DependencyParameterTests(DepMapFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    [Theory]
    [InlineData("", "endTs", "required")]
    [InlineData("lookback=3600000", "endTs", "required")]
    [InlineData("endTs=abc", "endTs", "milliseconds since the epoch")]
    [InlineData("endTs=0", "endTs", "milliseconds since the epoch")]
    [InlineData("endTs=-1", "endTs", "milliseconds since the epoch")]
    [InlineData("endTs=1735689600000&lookback=0", "lookback", "a duration in milliseconds")]
    [InlineData("endTs=1735689600000&lookback=1h", "lookback", "a duration in milliseconds")]
    [InlineData("endTs=1735689600000&lookback=34560000001", "lookback", "a duration in milliseconds")]
    [InlineData("endTs=1000&lookback=5000", "lookback", "reaches back before 1970")]
    [InlineData("endTs=1&endTs=2", "endTs", "given 2 times")]
    public async Task GetZipkinDependencies_Returns400NamingTheParameter_WhenAParameterIsInvalid(string query, string parameter, string reason)
    {
        var response = await _client.GetAsync($"/api/v2/dependencies?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await GraphParameterTests.ProblemAsync(response);
        Assert.StartsWith(parameter + ": ", problem.Detail);
        Assert.Contains(reason, problem.Detail);
    }

    [Theory]
    [InlineData("endTs=abc", "endTs")]
    [InlineData("lookback=-1", "lookback")]
    [InlineData("service=a%00b", "service")]
    public async Task GetJaegerDependencies_Returns400WithJaegersErrorList_WhenAParameterIsInvalid(string query, string parameter)
    {
        var response = await _client.GetAsync($"/api/dependencies?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var detail = json.RootElement.GetProperty("detail").GetString()!;
        Assert.StartsWith(parameter + ": ", detail);
        // Jaeger UI shows errors[0].msg of Jaeger query's structured response.
        var error = Assert.Single(json.RootElement.GetProperty("errors").EnumerateArray());
        Assert.Equal((400, detail), (error.GetProperty("code").GetInt32(), error.GetProperty("msg").GetString()));
    }

    [Fact]
    public async Task GetJaegerDependencies_AnswersAnEmptyDataList_WhenNoParameterIsGiven()
    {
        var response = await _client.GetAsync("/api/dependencies");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(JsonValueKind.Array, json.RootElement.GetProperty("data").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("errors").ValueKind);
    }
}
