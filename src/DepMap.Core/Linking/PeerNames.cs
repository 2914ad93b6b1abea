using System.Globalization;
using DepMap.Core.Spans;

namespace DepMap.Core.Linking;

/// <summary>How the DepMap view names a node the trace does not report spans for.</summary>
internal static class PeerNames
{
    /// <summary>
    /// The uninstrumented peer a leaf client calls, first match wins: what the client says it
    /// called, then where it connected, then the database's own names.
    /// </summary>
    public static string? LeafPeer(Span client) =>
        Present(client.RemoteService)
        ?? Present(client.PeerService)
        ?? Present(client.ServerAddress)
        ?? NetworkPeer(client)
        ?? Present(client.DbNamespace)
        ?? Present(client.DbName)
        ?? Present(client.DbSystem)
        ?? Present(client.DbSystemName);

    /// <summary>
    /// The broker a producer or consumer talks to: Zipkin's remote endpoint, else the messaging
    /// system, else the peer it connected to.
    /// </summary>
    public static string? Broker(Span span) =>
        Present(span.RemoteService)
        ?? Present(span.MessagingSystem)
        ?? Present(span.PeerService)
        ?? Present(span.ServerAddress)
        ?? NetworkPeer(span);

    /// <summary>
    /// The caller of a server with no reported client: only names the client gives of itself.
    /// <c>server.address</c> names the server and <c>network.peer.address</c> is a socket, so neither counts.
    /// </summary>
    public static string? UnreportedCaller(Span server) =>
        Present(server.RemoteService) ?? Present(server.PeerService);

    public static string? Present(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string? NetworkPeer(Span span)
    {
        var address = Present(span.NetworkPeerAddress);
        return address is null || span.NetworkPeerPort is not { } port
            ? address
            : string.Create(CultureInfo.InvariantCulture, $"{address}:{port}");
    }
}
