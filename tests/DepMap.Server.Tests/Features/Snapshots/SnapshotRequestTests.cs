using System.Net;
using System.Text;
using System.Text.Json;

namespace DepMap.Server.Tests.Features.Snapshots;

/// <summary>Every refused write says which field and why: no empty 400s.</summary>
[Collection(ServerCollection.Name)]
public class SnapshotRequestTests(DepMapFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    [Theory]
    [InlineData("{\"lookback\":", "body", "is not JSON")]
    [InlineData("not json", "body", "is not JSON")]
    [InlineData("[1,2]", "body", "is an array; send an object")]
    [InlineData("{\"lookback\":3600}", "lookback", "is a number; give a string such as \"1h\"")]
    [InlineData("{\"to\":true}", "to", "is a boolean; give a string")]
    [InlineData("{\"label\":{}}", "label", "is an object; give a string")]
    public async Task PostSnapshots_Answers400NamingTheField_WhenTheBodyIsMalformed(string body, string field, string reason)
    {
        var response = await _client.PostAsync("/snapshots", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(field, problem.RootElement.GetProperty("parameter").GetString());
        var detail = problem.RootElement.GetProperty("detail").GetString()!;
        Assert.StartsWith(field + ": ", detail, StringComparison.Ordinal);
        Assert.Contains(reason, detail, StringComparison.Ordinal);
    }
}
