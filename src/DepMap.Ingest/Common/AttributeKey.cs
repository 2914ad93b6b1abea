namespace DepMap.Ingest.Common;

/// <summary>
/// The attribute and tag names DepMap reads. Older semantic-convention names are kept apart from
/// their successors so the current name wins whichever comes first in the payload.
/// </summary>
internal enum AttributeKey : byte
{
    None,
    PeerService,
    ServerAddress,
    NetPeerName,
    ServerPort,
    NetPeerPort,
    NetworkPeerAddress,
    NetSockPeerAddr,
    NetPeerIp,
    NetworkPeerPort,
    NetSockPeerPort,
    DbNamespace,
    DbName,
    DbSystem,
    DbSystemName,
    MessagingSystem,
    MessagingDestinationName,
    MessagingDestination,
    HttpResponseStatusCode,
    HttpStatusCode,
    ServiceName,
    ServiceNamespace,
    Error,
    OtelStatusCode,
    SpanKind,
}

internal static class AttributeKeys
{
    public static AttributeKey Lookup(ReadOnlySpan<byte> key) => key.Length switch
    {
        5 when key.SequenceEqual("error"u8) => AttributeKey.Error,
        7 when key.SequenceEqual("db.name"u8) => AttributeKey.DbName,
        9 when key.SequenceEqual("db.system"u8) => AttributeKey.DbSystem,
        9 when key.SequenceEqual("span.kind"u8) => AttributeKey.SpanKind,
        11 when key.SequenceEqual("server.port"u8) => AttributeKey.ServerPort,
        11 when key.SequenceEqual("net.peer.ip"u8) => AttributeKey.NetPeerIp,
        12 when key.SequenceEqual("peer.service"u8) => AttributeKey.PeerService,
        12 when key.SequenceEqual("db.namespace"u8) => AttributeKey.DbNamespace,
        12 when key.SequenceEqual("service.name"u8) => AttributeKey.ServiceName,
        13 when key.SequenceEqual("net.peer.name"u8) => AttributeKey.NetPeerName,
        13 when key.SequenceEqual("net.peer.port"u8) => AttributeKey.NetPeerPort,
        14 when key.SequenceEqual("server.address"u8) => AttributeKey.ServerAddress,
        14 when key.SequenceEqual("db.system.name"u8) => AttributeKey.DbSystemName,
        16 when key.SequenceEqual("messaging.system"u8) => AttributeKey.MessagingSystem,
        16 when key.SequenceEqual("http.status_code"u8) => AttributeKey.HttpStatusCode,
        16 when key.SequenceEqual("otel.status_code"u8) => AttributeKey.OtelStatusCode,
        17 when key.SequenceEqual("network.peer.port"u8) => AttributeKey.NetworkPeerPort,
        17 when key.SequenceEqual("service.namespace"u8) => AttributeKey.ServiceNamespace,
        18 when key.SequenceEqual("net.sock.peer.addr"u8) => AttributeKey.NetSockPeerAddr,
        18 when key.SequenceEqual("net.sock.peer.port"u8) => AttributeKey.NetSockPeerPort,
        20 when key.SequenceEqual("network.peer.address"u8) => AttributeKey.NetworkPeerAddress,
        21 when key.SequenceEqual("messaging.destination"u8) => AttributeKey.MessagingDestination,
        25 when key.SequenceEqual("http.response.status_code"u8) => AttributeKey.HttpResponseStatusCode,
        26 when key.SequenceEqual("messaging.destination.name"u8) => AttributeKey.MessagingDestinationName,
        _ => AttributeKey.None,
    };
}
