using System.Globalization;
using System.Net;
using System.Text;
using DepMap.Server.Tests.Aggregation;

namespace DepMap.Server.Tests.Features.Snapshots;

/// <summary>
/// Known traffic as Zipkin v2 JSON, ten traces an hour. The base hour: frontend -> orders, orders ->
/// payments (no errors) and orders -> legacy. The head hour: payments fails 5 calls in 10 (+50
/// points), legacy is gone and orders calls a new inventory service.
/// </summary>
internal static class SnapshotTraffic
{
    public static readonly DateTimeOffset BaseHour = new(2024, 12, 31, 22, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset HeadHour = BaseHour.AddHours(1);

    public static string Window(DateTimeOffset hour) =>
        $"{{\"from\":\"{Iso(hour)}\",\"to\":\"{Iso(hour.AddHours(1))}\"";

    public static async Task SendAsync(AggregationFactory factory, bool head, DateTimeOffset hour, ulong traceBase)
    {
        var spans = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var trace = (traceBase + (ulong)i).ToString("x16", CultureInfo.InvariantCulture);
            var start = hour.AddMinutes(10 + i);
            spans.Add(Span(trace, "a1", null, "CLIENT", "frontend", "orders", start, 30, false));
            spans.Add(Span(trace, "a2", "a1", "SERVER", "orders", null, start.AddMilliseconds(1), 25, false));
            spans.Add(Span(trace, "a3", "a2", "CLIENT", "orders", "payments", start.AddMilliseconds(2), 12, false));
            spans.Add(Span(trace, "a4", "a3", "SERVER", "payments", null, start.AddMilliseconds(3), 10, head && i % 2 == 0));
            var other = head ? "inventory" : "legacy";
            spans.Add(Span(trace, "a5", "a2", "CLIENT", "orders", other, start.AddMilliseconds(15), 8, false));
            spans.Add(Span(trace, "a6", "a5", "SERVER", other, null, start.AddMilliseconds(16), 6, false));
        }
        using var client = factory.CreateClient();
        using var content = new StringContent("[" + string.Join(",", spans) + "]", Encoding.UTF8, "application/json");
        var response = await client.PostAsync("/api/v2/spans", content);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Span(string trace, string id, string? parent, string kind, string service, string? remote,
        DateTimeOffset start, int durationMs, bool error)
    {
        var micros = (start.ToUnixTimeMilliseconds() * 1000).ToString(CultureInfo.InvariantCulture);
        var parentField = parent is null ? "" : $"\"parentId\":\"00000000000000{parent}\",";
        var remoteField = remote is null ? "" : $",\"remoteEndpoint\":{{\"serviceName\":\"{remote}\"}}";
        var tags = error ? ",\"tags\":{\"error\":\"declined\"}" : "";
        return $"{{\"traceId\":\"{trace}\",{parentField}\"id\":\"00000000000000{id}\",\"kind\":\"{kind}\",\"name\":\"call\","
            + $"\"timestamp\":{micros},\"duration\":{durationMs * 1000},\"localEndpoint\":{{\"serviceName\":\"{service}\"}}{remoteField}{tags}}}";
    }
}
