namespace DepMap.Core.Spans;

/// <summary>
/// One reported span, reduced to what linking and statistics need. Every wire format (OTLP,
/// Zipkin v2, Jaeger) decodes to this. Ids of zero mean "absent"; an empty string counts as absent
/// too (decoders store <c>null</c> for it). Times are Unix nanoseconds.
/// </summary>
public sealed record Span
{
    /// <summary>
    /// The longest name a span carries into the graph (service, peer, database, destination), in
    /// UTF-16 characters. OpenTelemetry sets no limit; DepMap cuts longer names at ingest so every
    /// node can be asked for by name (queries take at most this many characters).
    /// </summary>
    public const int MaxNameLength = 256;

    public required TraceId TraceId { get; init; }
    public required ulong SpanId { get; init; }
    /// <summary>Zero when the span is a root.</summary>
    public ulong ParentId { get; init; }
    public SpanKind Kind { get; init; }
    /// <summary>The reporting service (OTLP resource <c>service.name</c>, Zipkin <c>localEndpoint.serviceName</c>).</summary>
    public string? LocalService { get; init; }
    /// <summary>Zipkin's <c>remoteEndpoint.serviceName</c>; OTLP has no such field.</summary>
    public string? RemoteService { get; init; }
    /// <summary>Zipkin's <c>shared</c>: a server span that reuses its client's span id.</summary>
    public bool Shared { get; init; }
    public string? Name { get; init; }
    public long StartUnixNano { get; init; }
    public long DurationNano { get; init; }
    /// <summary>
    /// The span failed: OTLP status ERROR, Zipkin's <c>error</c> tag, Jaeger's <c>error=true</c> tag.
    /// Never an annotation named "error" (Zipkin's linker ignores those).
    /// </summary>
    public bool Error { get; init; }
    public IReadOnlyList<SpanLink> Links { get; init; } = [];

    // The attributes linking needs, by their OpenTelemetry semantic-convention names.
    public string? PeerService { get; init; }                // peer.service
    public string? ServerAddress { get; init; }              // server.address
    public int? ServerPort { get; init; }                    // server.port
    public string? NetworkPeerAddress { get; init; }         // network.peer.address
    public int? NetworkPeerPort { get; init; }               // network.peer.port
    public string? DbNamespace { get; init; }                // db.namespace
    public string? DbName { get; init; }                     // db.name
    public string? DbSystem { get; init; }                   // db.system
    public string? DbSystemName { get; init; }               // db.system.name
    public string? MessagingSystem { get; init; }            // messaging.system
    public string? MessagingDestinationName { get; init; }   // messaging.destination.name
    public int? HttpResponseStatusCode { get; init; }        // http.response.status_code
    public string? ServiceNamespace { get; init; }           // resource service.namespace

    // Names from the semantic conventions before 1.21, kept apart from their successors: they come
    // last in every naming list, so old SDKs still get a name and new ones get Grafana Tempo's.
    public string? NetPeerName { get; init; }                // net.peer.name (now server.address)
    public string? NetSockPeerAddress { get; init; }         // net.sock.peer.addr, else net.peer.ip (now network.peer.address)
    public int? NetSockPeerPort { get; init; }               // net.sock.peer.port, else net.peer.port (now network.peer.port)

    public long EndUnixNano => StartUnixNano + DurationNano;

    /// <summary>True when the client span carries any database attribute: the call goes to a database.</summary>
    public bool HasDbAttributes =>
        DbNamespace is not null || DbName is not null || DbSystem is not null || DbSystemName is not null;
}
