using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DepMap.Server.Tests.Features.Graph;

namespace DepMap.Server.Tests.Features.Series;

/// <summary>
/// /services/{name}/series and /edges/series over the SDK-sent example (its traces start at
/// 2025-01-01T00:00:00Z, one a second), read from the minute and hour buckets.
/// </summary>
public class SeriesTests
{
    private static (string Time, long Calls, long Errors, double? P99)[] Points(JsonElement series) =>
        [.. series.GetProperty("points").EnumerateArray().Select(p => (
            p.GetProperty("time").GetString()!, p.GetProperty("calls").GetInt64(), p.GetProperty("errors").GetInt64(),
            p.GetProperty("p99Ms").ValueKind == JsonValueKind.Null ? (double?)null : p.GetProperty("p99Ms").GetDouble()))];

    [Fact]
    public async Task Series_HasAPointPerBucket_WhenReadPerMinuteAndPerHour()
    {
        using var factory = await GraphQueryTests.AggregatedExampleAsync(traces: 3, fails: i => i == 1);
        using var client = factory.CreateClient();

        var minutes = await client.GetFromJsonAsync<JsonElement>("/services/tracking/series?from=2025-01-01T00:00:00Z&to=2025-01-01T00:03:00Z&step=1m");
        var hours = await client.GetFromJsonAsync<JsonElement>("/services/tracking/series?from=2025-01-01T00:00:00Z&to=2025-01-01T02:00:00Z&step=1h");
        var edge = await client.GetFromJsonAsync<JsonElement>("/edges/series?source=logistics&target=tracking&from=2025-01-01T00:00:00Z&to=2025-01-01T00:02:00Z");

        Assert.Equal("1m", minutes.GetProperty("step").GetString());
        var perMinute = Points(minutes);
        Assert.Equal(["2025-01-01T00:00:00+00:00", "2025-01-01T00:01:00+00:00", "2025-01-01T00:02:00+00:00"], perMinute.Select(p => p.Time));
        Assert.Equal([(3L, 1L), (0L, 0L), (0L, 0L)], perMinute.Select(p => (p.Calls, p.Errors)));
        Assert.Equal(46, perMinute[0].P99!.Value, 0.5); // tracking's server spans take 46 ms
        Assert.Null(perMinute[1].P99);

        Assert.Equal("1h", hours.GetProperty("step").GetString());
        Assert.Equal([3L, 0L], Points(hours).Select(p => p.Calls));

        var perEdge = Points(edge);
        Assert.Equal([(3L, 1L), (0L, 0L)], perEdge.Select(p => (p.Calls, p.Errors)));
        Assert.Equal(50, perEdge[0].P99!.Value, 0.5); // what logistics waited: its 50 ms client span
    }

    [Fact]
    public async Task Series_IsAllZeros_WhenTheServiceHadNoTraffic()
    {
        using var factory = new DepMapFactory();
        using var client = factory.CreateClient();

        var series = await client.GetFromJsonAsync<JsonElement>("/services/nobody/series?lookback=15m");
        var week = await client.GetFromJsonAsync<JsonElement>("/services/nobody/series?lookback=7d");

        // A week ending with the current minute touches 169 hour buckets, the ragged ends widened to
        // whole hours; 168 when it ends on the hour (a request at :59), as the answer's own window says.
        var weekEnd = week.GetProperty("to").GetDateTimeOffset();
        var endsOnTheHour = weekEnd.Minute == 0 && weekEnd.Second == 0 && weekEnd.Millisecond == 0;
        Assert.Equal(TimeSpan.FromDays(7), weekEnd - week.GetProperty("from").GetDateTimeOffset());
        Assert.Equal(("1h", endsOnTheHour ? 168 : 169), (week.GetProperty("step").GetString(), Points(week).Length));
        var points = Points(series);
        Assert.Equal("1m", series.GetProperty("step").GetString());
        Assert.Equal(15, points.Length);
        Assert.All(points, p => Assert.Equal((0L, 0L, (double?)null), (p.Calls, p.Errors, p.P99)));
    }

    [Theory]
    [InlineData("/services/tracking/series?step=5m", "step", "is not a bucket size; use 1m or 1h")]
    [InlineData("/services/tracking/series?lookback=7d&step=1m", "step", "at most 1500")]
    [InlineData("/services/tracking/series?lookback=soon", "lookback", "is not a duration")]
    [InlineData("/services/tracking/series?step=1m&step=1h", "step", "given 2 times")]
    [InlineData("/edges/series?target=tracking", "source", "is required")]
    [InlineData("/edges/series?source=logistics", "target", "is required")]
    [InlineData("/edges/series?source=a%01b&target=tracking", "source", "is not a service name")]
    [InlineData("/edges/series?source=a&target=b&from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z", "from", "must be before to")]
    public async Task Series_Returns400NamingTheParameter_WhenAParameterIsInvalid(string path, string parameter, string reason)
    {
        using var factory = new DepMapFactory();

        var response = await factory.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await GraphParameterTests.ProblemAsync(response);
        Assert.StartsWith(parameter + ": ", problem.Detail);
        Assert.Contains(reason, problem.Detail);
        Assert.Equal(parameter, problem.Parameter);
    }
}
