using System.Globalization;
using System.Text;

namespace DepMap.Server.Tests.Features.Metrics;

/// <summary>
/// Zipkin v2 traces with known latencies, each edge's durations inside one of Tempo's histogram
/// buckets (so a quantile's bucket is unambiguous): a user calls <c>gateway</c> (900-990 ms),
/// which calls <c>orders</c> (client 300-390 ms, server 250-340 ms, every fourth failing), which
/// queries <c>orders-db</c> (120-165 ms) and publishes to <c>billing</c> through kafka.
/// </summary>
internal static class ServiceGraphTraffic
{
    public static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public const string Window = "from=2025-03-01T11:00:00Z&to=2025-03-01T14:00:00Z";

    public static byte[] Zipkin(int traces, ulong firstTraceId = 0x5e0000)
    {
        var spans = new List<string>();
        for (var i = 0; i < traces; i++)
        {
            var trace = (firstTraceId + (ulong)i).ToString("x16", CultureInfo.InvariantCulture);
            var t0 = Start.ToUnixTimeMilliseconds() * 1000 + i * 1_000_000L;
            spans.Add(Span(trace, "a1", null, "SERVER", "gateway", "GET /order", t0, 900 + i * 10));
            spans.Add(Span(trace, "a2", "a1", "CLIENT", "gateway", "GET /orders", t0 + 1_000, 300 + i * 10, remote: "orders"));
            spans.Add(Span(trace, "a3", "a2", "SERVER", "orders", "GET /orders", t0 + 2_000, 250 + i * 10, error: i % 4 == 0));
            spans.Add(Span(trace, "a4", "a3", "CLIENT", "orders", "SELECT orders", t0 + 3_000, 120 + i * 5, remote: "orders-db", db: true));
            spans.Add(Span(trace, "a5", "a3", "PRODUCER", "orders", "publish invoices", t0 + 4_000, 5, remote: "kafka"));
            spans.Add(Span(trace, "a6", "a5", "CONSUMER", "billing", "consume invoices", t0 + 60_000, 30, remote: "kafka"));
        }
        return Encoding.UTF8.GetBytes("[" + string.Join(",\n", spans) + "]");
    }

    private static string Span(string trace, string id, string? parent, string kind, string service, string name,
        long startMicros, int durationMs, string? remote = null, bool error = false, bool db = false)
    {
        var json = new StringBuilder();
        json.Append("{\"traceId\":\"").Append(trace).Append("\",\"id\":\"").Append(id.PadLeft(16, '0')).Append("\",");
        if (parent is not null)
        {
            json.Append("\"parentId\":\"").Append(parent.PadLeft(16, '0')).Append("\",");
        }
        json.Append(CultureInfo.InvariantCulture, $"\"kind\":\"{kind}\",\"name\":\"{name}\",\"timestamp\":{startMicros},\"duration\":{durationMs * 1000L},");
        json.Append("\"localEndpoint\":{\"serviceName\":\"").Append(service).Append("\"}");
        if (remote is not null)
        {
            json.Append(",\"remoteEndpoint\":{\"serviceName\":\"").Append(remote).Append("\"}");
        }
        var tags = new List<string>();
        if (error)
        {
            tags.Add("\"error\":\"500\"");
        }
        if (db)
        {
            tags.Add("\"db.system\":\"postgresql\"");
        }
        if (kind is "PRODUCER" or "CONSUMER")
        {
            tags.Add("\"messaging.system\":\"kafka\"");
        }
        if (tags.Count > 0)
        {
            json.Append(",\"tags\":{").Append(string.Join(',', tags)).Append('}');
        }
        return json.Append('}').ToString();
    }
}
