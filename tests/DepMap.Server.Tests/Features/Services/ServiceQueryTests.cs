using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DepMap.Server.Tests.Aggregation;
using DepMap.Server.Tests.Features.Graph;

namespace DepMap.Server.Tests.Features.Services;

/// <summary>/services and the ranking over the SDK-sent example with a fault in tracking's database.</summary>
public class ServiceQueryTests
{
    private const string Window = "from=2024-12-31T23:00:00Z&to=2025-01-01T02:00:00Z";

    [Fact]
    public async Task GetServices_ListsEveryNodeWithItsStatistics_WhenExampleIsAggregated()
    {
        using var factory = await GraphQueryTests.AggregatedExampleAsync(traces: 4, fails: i => i == 1);

        var services = await factory.CreateClient().GetFromJsonAsync<JsonElement>($"/services?{Window}");

        var byName = services.EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);
        Assert.Equal(["logistics", "logistics-db", "tracking", "tracking-db", "user"], byName.Keys);
        var tracking = byName["tracking"];
        Assert.Equal(("service", "failing", 4, 1), (tracking.GetProperty("type").GetString(), tracking.GetProperty("health").GetString(),
            tracking.GetProperty("requestsServed").GetInt32(), tracking.GetProperty("errorCount").GetInt32()));
        var reliability = tracking.GetProperty("reliability");
        Assert.Equal((4, 1, 0), (reliability.GetProperty("requests").GetInt32(), reliability.GetProperty("originatedErrors").GetInt32(),
            reliability.GetProperty("passedOnErrors").GetInt32()));
        var logistics = byName["logistics"].GetProperty("reliability");
        Assert.Equal((0, 1), (logistics.GetProperty("originatedErrors").GetInt32(), logistics.GetProperty("passedOnErrors").GetInt32()));
        Assert.Equal("database", byName["tracking-db"].GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, byName["tracking-db"].GetProperty("reliability").ValueKind);
    }

    [Fact]
    public async Task GetService_ShowsCallersAndCallees_WhenServiceIsKnown()
    {
        using var factory = await GraphQueryTests.AggregatedExampleAsync(traces: 2);

        var detail = await factory.CreateClient().GetFromJsonAsync<JsonElement>($"/services/tracking?{Window}");

        Assert.Equal("tracking", detail.GetProperty("service").GetProperty("name").GetString());
        var caller = Assert.Single(detail.GetProperty("callers").EnumerateArray());
        Assert.Equal(("logistics", "", 2), (caller.GetProperty("service").GetString(), caller.GetProperty("connectionType").GetString(), caller.GetProperty("callCount").GetInt32()));
        var callee = Assert.Single(detail.GetProperty("callees").EnumerateArray());
        Assert.Equal(("tracking-db", "database"), (callee.GetProperty("service").GetString(), callee.GetProperty("connectionType").GetString()));
    }

    [Fact]
    public async Task GetRanking_PutsTheServiceOriginatingTheFaultFirst_WhenItsDatabaseFails()
    {
        using var factory = await GraphQueryTests.AggregatedExampleAsync(traces: 4, fails: i => i == 1);

        var ranking = await factory.CreateClient().GetFromJsonAsync<JsonElement>($"/services/ranking?{Window}");

        var entries = ranking.EnumerateArray().ToList();
        Assert.Equal(["tracking", "logistics"], entries.Select(e => e.GetProperty("service").GetString()));
        Assert.Equal((1, "failing"), (entries[0].GetProperty("rank").GetInt32(), entries[0].GetProperty("health").GetString()));
        Assert.Equal("healthy", entries[1].GetProperty("health").GetString());
        Assert.True(entries[0].GetProperty("score").GetDouble() > entries[1].GetProperty("score").GetDouble());
        Assert.StartsWith("originates 25", entries[0].GetProperty("explanation").GetString());
        Assert.Equal(1, entries[0].GetProperty("factors").GetProperty("originatedErrors").GetInt32());
    }

    [Fact]
    public async Task GetRankingCsv_HasOneRowPerServiceInRankOrder_WhenExampleIsAggregated()
    {
        using var factory = await GraphQueryTests.AggregatedExampleAsync(traces: 4, fails: i => i == 1);

        var response = await factory.CreateClient().GetAsync($"/services/ranking.csv?{Window}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("rank,service,score,health,requests,originated_errors,passed_on_errors,", lines[0]);
        Assert.StartsWith("1,tracking,", lines[1]);
        Assert.Contains(",failing,4,1,0,0.25,", lines[1]);
        Assert.StartsWith("2,logistics,", lines[2]);
    }

    [Fact]
    public async Task GetRankingCsv_EscapesAFormula_WhenAServiceNameStartsLikeOne()
    {
        using var factory = new AggregationFactory();
        using var client = factory.CreateClient();
        // A span anyone can send; a spreadsheet would run "=1+1" as a formula.
        var span = """[{"traceId":"0af7651916cd43dd8448eb211c80319c","id":"b7ad6b7169203331","kind":"SERVER","name":"get","timestamp":1735689600000000,"duration":1000,"localEndpoint":{"serviceName":"=1+1"},"tags":{"error":"boom"}}]""";
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/v2/spans", Encoding.UTF8.GetBytes(span), "application/json")).StatusCode);
        await factory.AggregateAsync();

        var csv = await client.GetStringAsync($"/services/ranking.csv?{Window}");

        var row = csv.Split("\r\n")[1];
        // A leading apostrophe makes spreadsheets show the cell as text.
        Assert.StartsWith("1,\"'=1+1\",", row);
        Assert.DoesNotContain(",=1+1", row);
        Assert.DoesNotContain("\"=1+1", row);
    }
}
