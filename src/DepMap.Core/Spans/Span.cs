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
    public string? DbNamespace { get => _rare?.Values.DbNamespace; init => SetRare(value, static (r, v) => r.Values.DbNamespace = v); }   // db.namespace
    public string? DbName { get => _rare?.Values.DbName; init => SetRare(value, static (r, v) => r.Values.DbName = v); }                  // db.name
    public string? DbSystem { get => _rare?.Values.DbSystem; init => SetRare(value, static (r, v) => r.Values.DbSystem = v); }            // db.system
    public string? DbSystemName { get => _rare?.Values.DbSystemName; init => SetRare(value, static (r, v) => r.Values.DbSystemName = v); } // db.system.name
    public string? MessagingSystem { get => _rare?.Values.MessagingSystem; init => SetRare(value, static (r, v) => r.Values.MessagingSystem = v); } // messaging.system
    public string? MessagingDestinationName                  // messaging.destination.name
    {
        get => _rare?.Values.MessagingDestinationName;
        init => SetRare(value, static (r, v) => r.Values.MessagingDestinationName = v);
    }
    public int? HttpResponseStatusCode { get; init; }        // http.response.status_code
    public string? ServiceNamespace { get; init; }           // resource service.namespace

    // Names from the semantic conventions before 1.21, kept apart from their successors: they come
    // last in every naming list, so old SDKs still get a name and new ones get Grafana Tempo's.
    public string? NetPeerName { get => _rare?.Values.NetPeerName; init => SetRare(value, static (r, v) => r.Values.NetPeerName = v); } // net.peer.name (now server.address)
    public string? NetSockPeerAddress                        // net.sock.peer.addr, else net.peer.ip (now network.peer.address)
    {
        get => _rare?.Values.NetSockPeerAddress;
        init => SetRare(value, static (r, v) => r.Values.NetSockPeerAddress = v);
    }
    public int? NetSockPeerPort { get => _rare?.Values.NetSockPeerPort; init => SetRare(value, static (r, v) => r.Values.NetSockPeerPort = v); } // net.sock.peer.port, else net.peer.port (now network.peer.port)

    // The attributes above that only database, messaging and pre-1.21 spans carry, in one object
    // that a span has only when it carries one of them: most spans are HTTP or RPC calls, and the
    // eight empty references and a port made a decoded span 240 bytes instead of 168, 5.5% of a
    // rebuild's allocation. Spans still compare and hash by value (the object does, and an
    // emptied one is dropped). Only the span whose initialisation made it fills it in; a span made
    // `with` another copies it before changing it, so the other never changes.
    private RareAttributes? _rare;

    private void SetRare<T>(T? value, Action<RareAttributes, T?> set)
    {
        if (_rare is null && value is null)
        {
            return;
        }
        _rare = _rare is null ? new RareAttributes(this) : ReferenceEquals(_rare.Owner, this) ? _rare : _rare.CopyFor(this);
        set(_rare, value);
        if (_rare.IsEmpty)
        {
            _rare = null;
        }
    }

    private sealed class RareAttributes(Span owner)
    {
        public Span Owner { get; } = owner;

        // A field, so the setters above change it in place.
        public RareValues Values;

        public bool IsEmpty => Values == default;

        public RareAttributes CopyFor(Span owner) => new(owner) { Values = Values };

        // By value, the owner aside: two equal spans made apart hold equal objects of their own.
        public override bool Equals(object? obj) => obj is RareAttributes other && Values == other.Values;

        public override int GetHashCode() => Values.GetHashCode();
    }

    private record struct RareValues
    {
        public string? DbNamespace { get; set; }
        public string? DbName { get; set; }
        public string? DbSystem { get; set; }
        public string? DbSystemName { get; set; }
        public string? MessagingSystem { get; set; }
        public string? MessagingDestinationName { get; set; }
        public string? NetPeerName { get; set; }
        public string? NetSockPeerAddress { get; set; }
        public int? NetSockPeerPort { get; set; }
    }

    public long EndUnixNano => StartUnixNano + DurationNano;

    /// <summary>True when the client span carries any database attribute: the call goes to a database.</summary>
    public bool HasDbAttributes =>
        DbNamespace is not null || DbName is not null || DbSystem is not null || DbSystemName is not null;
}
