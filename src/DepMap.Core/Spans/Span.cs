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
    public string? DbNamespace { get => _rare?.DbNamespace; init => Rare(value, static (r, v) => r with { DbNamespace = v }); }   // db.namespace
    public string? DbName { get => _rare?.DbName; init => Rare(value, static (r, v) => r with { DbName = v }); }                  // db.name
    public string? DbSystem { get => _rare?.DbSystem; init => Rare(value, static (r, v) => r with { DbSystem = v }); }            // db.system
    public string? DbSystemName { get => _rare?.DbSystemName; init => Rare(value, static (r, v) => r with { DbSystemName = v }); } // db.system.name
    public string? MessagingSystem { get => _rare?.MessagingSystem; init => Rare(value, static (r, v) => r with { MessagingSystem = v }); } // messaging.system
    public string? MessagingDestinationName                  // messaging.destination.name
    {
        get => _rare?.MessagingDestinationName;
        init => Rare(value, static (r, v) => r with { MessagingDestinationName = v });
    }
    public int? HttpResponseStatusCode { get; init; }        // http.response.status_code
    public string? ServiceNamespace { get; init; }           // resource service.namespace

    // Names from the semantic conventions before 1.21, kept apart from their successors: they come
    // last in every naming list, so old SDKs still get a name and new ones get Grafana Tempo's.
    public string? NetPeerName { get => _rare?.NetPeerName; init => Rare(value, static (r, v) => r with { NetPeerName = v }); } // net.peer.name (now server.address)
    public string? NetSockPeerAddress                        // net.sock.peer.addr, else net.peer.ip (now network.peer.address)
    {
        get => _rare?.NetSockPeerAddress;
        init => Rare(value, static (r, v) => r with { NetSockPeerAddress = v });
    }
    public int? NetSockPeerPort { get => _rare?.NetSockPeerPort; init => Rare(value, static (r, v) => r with { NetSockPeerPort = v }); } // net.sock.peer.port, else net.peer.port (now network.peer.port)

    // The attributes above that only database, messaging and pre-1.21 spans carry, in one object
    // that a span has only when it carries one of them: most spans are HTTP or RPC calls, and the
    // eight empty references and a port took a decoded span from 168 to 240 bytes, which was 7% of
    // a rebuild's allocation. A record, so spans still compare and hash by value; replaced, never
    // changed, so a span made `with` another never changes the other's.
    private RareAttributes? _rare;

    private void Rare<T>(T? value, Func<RareAttributes, T?, RareAttributes> with)
    {
        if (value is null && _rare is null)
        {
            return;
        }
        var changed = with(_rare ?? RareAttributes.None, value);
        _rare = changed == RareAttributes.None ? null : changed;
    }

    private sealed record RareAttributes
    {
        public static readonly RareAttributes None = new();

        public string? DbNamespace { get; init; }
        public string? DbName { get; init; }
        public string? DbSystem { get; init; }
        public string? DbSystemName { get; init; }
        public string? MessagingSystem { get; init; }
        public string? MessagingDestinationName { get; init; }
        public string? NetPeerName { get; init; }
        public string? NetSockPeerAddress { get; init; }
        public int? NetSockPeerPort { get; init; }
    }

    public long EndUnixNano => StartUnixNano + DurationNano;

    /// <summary>True when the client span carries any database attribute: the call goes to a database.</summary>
    public bool HasDbAttributes =>
        DbNamespace is not null || DbName is not null || DbSystem is not null || DbSystemName is not null;
}
