using CoreSpan = DepMap.Core.Spans.Span;

namespace DepMap.Tests.Shared.Fuzzing;

/// <summary>
/// The span attributes DepMap reads, each under the one name the encoders write it with: OTLP
/// attributes, Zipkin tags and Jaeger tags all carry the semantic-convention names.
/// </summary>
internal static class SpanAttributes
{
    public const string HttpResponseStatusCode = "http.response.status_code";

    /// <summary>The attributes the span has (null fields are left out): a string or an integer each.</summary>
    public static IEnumerable<(string Key, string? Text, long? Number)> Of(CoreSpan span, string statusCodeKey = HttpResponseStatusCode)
    {
        (string, string?, long?)[] all =
        [
            ("peer.service", span.PeerService, null),
            ("server.address", span.ServerAddress, null),
            ("server.port", null, span.ServerPort),
            ("network.peer.address", span.NetworkPeerAddress, null),
            ("network.peer.port", null, span.NetworkPeerPort),
            // Deprecated names are kept apart from their successors (fallbacks at the end of every naming list).
            ("net.peer.name", span.NetPeerName, null),
            ("net.sock.peer.addr", span.NetSockPeerAddress, null),
            ("net.sock.peer.port", null, span.NetSockPeerPort),
            ("db.namespace", span.DbNamespace, null),
            ("db.name", span.DbName, null),
            ("db.system", span.DbSystem, null),
            ("db.system.name", span.DbSystemName, null),
            ("messaging.system", span.MessagingSystem, null),
            ("messaging.destination.name", span.MessagingDestinationName, null),
            (statusCodeKey, null, span.HttpResponseStatusCode),
        ];
        return all.Where(a => a.Item2 is not null || a.Item3 is not null);
    }
}
