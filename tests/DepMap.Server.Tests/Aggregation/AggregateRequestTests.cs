using System.Net;

namespace DepMap.Server.Tests.Aggregation;

/// <summary>POST /api/aggregate refuses what it cannot read with a detail naming it.</summary>
[Collection(ServerCollection.Name)]
public class AggregateRequestTests(DepMapFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    [Theory]
    [InlineData("maybe")]
    [InlineData("1")]
    [InlineData("")]
    public async Task PostAggregate_Answers400NamingFlush_WhenFlushIsNotABoolean(string flush)
    {
        var response = await _client.PostAsync($"/api/aggregate?flush={flush}", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal($"flush: '{flush}' is not true or false", await response.ProblemDetailAsync());
    }
}
