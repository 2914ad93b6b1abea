using System.Globalization;
using DepMap.Core.Spans;

namespace DepMap.Core.Linking;

/// <summary>
/// How the DepMap view names a node the trace does not report spans for: the one place every
/// consumer of names (the graph, the reliability ranking, the CLI) asks, so a peer carries one name.
/// Every list puts current OpenTelemetry names first and the deprecated ones (<c>net.peer.name</c>,
/// <c>net.sock.peer.addr</c>, <c>net.peer.ip</c>) last, so new SDKs get the name Grafana Tempo gives
/// and old ones still get a name. An empty value counts as absent.
/// </summary>
internal static class PeerNames
{
    /// <summary>
    /// Who a CLIENT or PRODUCER span that nothing answered called: the broker for a producer, the
    /// uninstrumented peer for anything else.
    /// </summary>
    public static string? CalledPeer(Span span) => span.Kind == SpanKind.Producer ? Broker(span) : LeafPeer(span);

    /// <summary>
    /// The uninstrumented peer a leaf client calls, first match wins: what the client says it
    /// called, then where it connected, then the database's own names, then the deprecated names.
    /// </summary>
    public static string? LeafPeer(Span client) =>
        Present(client.RemoteService)
        ?? Present(client.PeerService)
        ?? Present(client.ServerAddress)
        ?? NetworkPeer(client.NetworkPeerAddress, client.NetworkPeerPort)
        ?? Present(client.DbNamespace)
        ?? Present(client.DbName)
        ?? Present(client.DbSystem)
        ?? Present(client.DbSystemName)
        ?? Deprecated(client);

    /// <summary>
    /// The broker an unpaired producer calls or an unpaired consumer is called by: Zipkin's remote
    /// endpoint, then <c>peer.service</c> (the user's explicit word wins over the system's), then the
    /// messaging system, then where it connected. Never a <c>db.*</c> attribute.
    /// </summary>
    public static string? Broker(Span span) =>
        Present(span.RemoteService)
        ?? Present(span.PeerService)
        ?? Present(span.MessagingSystem)
        ?? Present(span.ServerAddress)
        ?? NetworkPeer(span.NetworkPeerAddress, span.NetworkPeerPort)
        ?? Deprecated(span);

    /// <summary>
    /// The caller of a server with no reported client: only names the client gives of itself.
    /// <c>server.address</c> names the server and <c>network.peer.address</c> is a socket, so neither counts.
    /// </summary>
    public static string? UnreportedCaller(Span server) =>
        Present(server.RemoteService) ?? Present(server.PeerService);

    /// <summary>
    /// A client carrying any database attribute calls a database: its peer is a database node, and
    /// nothing instrumented will ever answer it (<see cref="TraceCompleteness"/> asks the same).
    /// </summary>
    public static bool IsDatabase(Span client) =>
        !string.IsNullOrEmpty(client.DbNamespace) || !string.IsNullOrEmpty(client.DbName)
        || !string.IsNullOrEmpty(client.DbSystem) || !string.IsNullOrEmpty(client.DbSystemName);

    public static string? Present(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary><c>net.peer.name</c>, then <c>net.sock.peer.addr[:port]</c> (or <c>net.peer.ip[:port]</c>).</summary>
    private static string? Deprecated(Span span) =>
        Present(span.NetPeerName) ?? NetworkPeer(span.NetSockPeerAddress, span.NetSockPeerPort);

    private static string? NetworkPeer(string? address, int? port)
    {
        address = Present(address);
        return address is null || port is not { } number
            ? address
            : string.Create(CultureInfo.InvariantCulture, $"{address}:{number}");
    }
}
