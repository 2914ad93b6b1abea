using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DepMap.Server.Tests.Aggregation;

namespace DepMap.Server.Tests.Features.Services;

/// <summary>Every service /services lists is reachable at /services/{its name, escaped}, whatever the name holds.</summary>
public class ServiceNameTests
{
    private const string Window = "from=2024-12-31T23:00:00Z&to=2025-01-01T01:00:00Z";

    [Fact]
    public async Task GetService_FindsEveryListedService_WhenNamesHoldSlashesPercentSignsOrAreHuge()
    {
        // Real HTTP: the escapes a client sends are only seen as sent on a real connection.
        using var factory = new AggregationFactory(kestrel: true);
        using var client = new HttpClient { BaseAddress = factory.Address };
        var huge = "big-" + new string('x', 2 * 1024 * 1024);
        var callers = new[] { "team/orders", "a%2Fb", "50% off", "ranking.csv x", huge };
        var spans = string.Join(",", callers.Select((caller, i) => $$$"""
            {"traceId":"{{{Payloads.Hex(0x5000UL + (ulong)i)}}}","id":"000000000000000a","kind":"CLIENT","name":"call",
             "timestamp":1735689600000000,"duration":1000,"localEndpoint":{"serviceName":"{{{caller}}}"},
             "remoteEndpoint":{"serviceName":"backend"}}
            """));
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/v2/spans", Payloads.Utf8($"[{spans}]"), "application/json")).StatusCode);
        await factory.AggregateAsync();

        var listed = (await client.GetFromJsonAsync<JsonElement>($"/services?{Window}")).EnumerateArray()
            .Select(s => s.GetProperty("name").GetString()!).ToList();

        Assert.Contains(huge[..256], listed);
        Assert.Equal(callers.Length + 1, listed.Count);
        foreach (var name in listed)
        {
            var response = await client.GetAsync($"/services/{Uri.EscapeDataString(name)}?{Window}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{name[..Math.Min(40, name.Length)]}: {(int)response.StatusCode}");
            var detail = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(name, detail.GetProperty("service").GetProperty("name").GetString());
        }
    }
}
