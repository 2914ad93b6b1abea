using System.Globalization;
using DepMap.Core.Graph;
using DepMap.Core.Linking;
using DepMap.Core.Statistics;

namespace DepMap.Core.Writers;

/// <summary>The words and numbers every writer shows the same way.</summary>
public static class GraphText
{
    /// <summary>Tempo's <c>connection_type</c> values, so Grafana users recognise them.</summary>
    public static string ConnectionWord(ConnectionType type) => type switch
    {
        ConnectionType.Database => "database",
        ConnectionType.MessagingSystem => "messaging_system",
        ConnectionType.VirtualNode => "virtual_node",
        _ => "",
    };

    public static string NodeWord(NodeType type) => type switch
    {
        NodeType.Database => "database",
        NodeType.Broker => "broker",
        NodeType.External => "external",
        NodeType.User => "user",
        _ => "service",
    };

    public static string HealthWord(NodeHealth health) => health switch
    {
        NodeHealth.Degraded => "degraded",
        NodeHealth.Failing => "failing",
        _ => "healthy",
    };

    /// <summary>The latency the caller waited, where reported; else the server's own.</summary>
    public static LatencySketch CallLatency(EdgeStatistics edge) => edge.ClientLatency.IsEmpty ? edge.ServerLatency : edge.ClientLatency;

    /// <summary><c>12 calls, 8.3% errors, p99 41 ms</c> split over lines by <paramref name="separator"/>.</summary>
    public static string EdgeSummary(EdgeStatistics edge, string separator)
    {
        var calls = edge.CallCount == 1 ? "1 call" : $"{edge.CallCount.ToString("N0", CultureInfo.InvariantCulture)} calls";
        var text = $"{calls}{separator}{Percent(edge.ErrorRate)} errors";
        var latency = CallLatency(edge);
        return latency.IsEmpty ? text : $"{text}{separator}p99 {Duration(latency.Quantile(0.99))}";
    }

    public static string Percent(double rate) => (rate * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    /// <summary>Three significant figures at most: 0.42 ms, 4.2 ms, 42 ms, 1.23 s.</summary>
    public static string Duration(double nano)
    {
        var ms = nano / 1e6;
        return ms switch
        {
            >= 1000 => (ms / 1000).ToString("0.##", CultureInfo.InvariantCulture) + " s",
            >= 10 => ms.ToString("0", CultureInfo.InvariantCulture) + " ms",
            >= 1 => ms.ToString("0.#", CultureInfo.InvariantCulture) + " ms",
            _ => ms.ToString("0.##", CultureInfo.InvariantCulture) + " ms",
        };
    }

    /// <summary>Shortens a name past <paramref name="max"/> text elements (never splitting a surrogate pair).</summary>
    public static string Truncate(string text, int max)
    {
        var info = new StringInfo(text);
        return info.LengthInTextElements <= max ? text : info.SubstringByTextElements(0, max - 1) + "…";
    }
}
