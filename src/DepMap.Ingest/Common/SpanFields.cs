using System.Buffers.Text;
using DepMap.Core.Spans;

namespace DepMap.Ingest.Common;

/// <summary>
/// One span being decoded, reused from span to span so a decoder allocates only the finished
/// <see cref="Span"/>. Attributes are applied by key; the current semantic-convention name wins
/// over its older one whatever their order.
/// </summary>
internal sealed class SpanFields
{
    public TraceId TraceId;
    public ulong SpanId;
    public ulong ParentId;
    public SpanKind Kind;
    public string? LocalService;
    public string? RemoteService;
    public bool Shared;
    public string? Name;
    public long StartUnixNano;
    public long DurationNano;
    public bool Error;
    public List<SpanLink>? Links;
    public string? ServiceNamespace;

    /// <summary>Names cut to <see cref="Span.MaxNameLength"/> in this batch (kept across <see cref="Reset"/>).</summary>
    public int TruncatedNames;

    private string? _peerService;
    private string? _serverAddress;
    private string? _netPeerName;
    private int? _serverPort;
    private int? _netPeerPort;
    private string? _networkPeerAddress;
    private string? _netSockPeerAddr;
    private string? _netPeerIp;
    private int? _networkPeerPort;
    private int? _netSockPeerPort;
    private string? _dbNamespace;
    private string? _dbName;
    private string? _dbSystem;
    private string? _dbSystemName;
    private string? _messagingSystem;
    private string? _messagingDestinationName;
    private string? _messagingDestination;
    private int? _httpResponseStatusCode;
    private int? _httpStatusCode;
    private string? _remoteAddress;
    private int? _remotePort;

    public void Reset()
    {
        TraceId = default;
        SpanId = 0;
        ParentId = 0;
        Kind = SpanKind.Unspecified;
        LocalService = null;
        RemoteService = null;
        Shared = false;
        Name = null;
        StartUnixNano = 0;
        DurationNano = 0;
        Error = false;
        Links = null;
        ServiceNamespace = null;
        _peerService = _serverAddress = _netPeerName = null;
        _serverPort = _netPeerPort = _networkPeerPort = _netSockPeerPort = null;
        _networkPeerAddress = _netSockPeerAddr = _netPeerIp = null;
        _dbNamespace = _dbName = _dbSystem = _dbSystemName = null;
        _messagingSystem = _messagingDestinationName = _messagingDestination = null;
        _httpResponseStatusCode = _httpStatusCode = null;
        _remoteAddress = null;
        _remotePort = null;
    }

    public void AddLink(SpanLink link) => (Links ??= []).Add(link);

    /// <summary>Applies a string attribute; integer attributes sent as strings are parsed. Empty values count as absent.</summary>
    public void SetString(AttributeKey key, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }
        switch (key)
        {
            case AttributeKey.PeerService: _peerService = value; break;
            case AttributeKey.ServerAddress: _serverAddress = value; break;
            case AttributeKey.NetPeerName: _netPeerName = value; break;
            case AttributeKey.NetworkPeerAddress: _networkPeerAddress = value; break;
            case AttributeKey.NetSockPeerAddr: _netSockPeerAddr = value; break;
            case AttributeKey.NetPeerIp: _netPeerIp = value; break;
            case AttributeKey.DbNamespace: _dbNamespace = value; break;
            case AttributeKey.DbName: _dbName = value; break;
            case AttributeKey.DbSystem: _dbSystem = value; break;
            case AttributeKey.DbSystemName: _dbSystemName = value; break;
            case AttributeKey.MessagingSystem: _messagingSystem = value; break;
            case AttributeKey.MessagingDestinationName: _messagingDestinationName = value; break;
            case AttributeKey.MessagingDestination: _messagingDestination = value; break;
            case AttributeKey.ServiceNamespace: ServiceNamespace = value; break;
            case AttributeKey.OtelStatusCode:
                Error |= value.Equals("ERROR", StringComparison.OrdinalIgnoreCase);
                break;
            case AttributeKey.ServerPort or AttributeKey.NetPeerPort or AttributeKey.NetworkPeerPort
                or AttributeKey.NetSockPeerPort or AttributeKey.HttpResponseStatusCode or AttributeKey.HttpStatusCode:
                if (long.TryParse(value, out var number))
                {
                    SetInteger(key, number);
                }
                break;
            default:
                break;
        }
    }

    /// <summary>Applies an integer attribute. Values outside the int range are not ports or status codes: ignored.</summary>
    public void SetInteger(AttributeKey key, long value)
    {
        if (value is < int.MinValue or > int.MaxValue)
        {
            return;
        }
        var number = (int)value;
        switch (key)
        {
            case AttributeKey.ServerPort: _serverPort = number; break;
            case AttributeKey.NetPeerPort: _netPeerPort = number; break;
            case AttributeKey.NetworkPeerPort: _networkPeerPort = number; break;
            case AttributeKey.NetSockPeerPort: _netSockPeerPort = number; break;
            case AttributeKey.HttpResponseStatusCode: _httpResponseStatusCode = number; break;
            case AttributeKey.HttpStatusCode: _httpStatusCode = number; break;
            default: break;
        }
    }

    /// <summary>Integer attributes as raw UTF-8 digits (a JSON number or a tag string).</summary>
    public void SetInteger(AttributeKey key, ReadOnlySpan<byte> utf8Digits)
    {
        if (Utf8Parser.TryParse(utf8Digits, out long value, out var consumed) && consumed == utf8Digits.Length)
        {
            SetInteger(key, value);
        }
    }

    /// <summary>True for the keys whose value is a number (the others are names).</summary>
    public static bool IsInteger(AttributeKey key) => key is AttributeKey.ServerPort or AttributeKey.NetPeerPort
        or AttributeKey.NetworkPeerPort or AttributeKey.NetSockPeerPort
        or AttributeKey.HttpResponseStatusCode or AttributeKey.HttpStatusCode;

    /// <summary>
    /// A remote endpoint's address from Zipkin: Zipkin's own field for the peer's socket, so it stands
    /// for <c>network.peer.address</c> when no attribute of that name was sent.
    /// </summary>
    public void SetRemoteEndpoint(string? address, int? port)
    {
        _remoteAddress = string.IsNullOrEmpty(address) ? null : address;
        _remotePort = port is > 0 ? port : null;
    }

    public Span Build() => new()
    {
        TraceId = TraceId,
        SpanId = SpanId,
        ParentId = ParentId,
        Kind = Kind,
        LocalService = Cap(LocalService),
        RemoteService = Cap(RemoteService),
        Shared = Shared,
        Name = Name,
        StartUnixNano = StartUnixNano,
        DurationNano = DurationNano,
        Error = Error,
        Links = Links is null ? [] : Links.ToArray(),
        PeerService = Cap(_peerService),
        // Deprecated names are not folded into their successors: they are fallbacks at the end of
        // every naming list (PeerNames), after the database's own names. The port is no name.
        ServerAddress = Cap(_serverAddress, AddressLength),
        ServerPort = _serverPort ?? _netPeerPort,
        NetworkPeerAddress = Cap(_networkPeerAddress ?? _remoteAddress, AddressLength),
        NetworkPeerPort = _networkPeerPort ?? (_networkPeerAddress is null ? _remotePort : null),
        NetPeerName = Cap(_netPeerName, AddressLength),
        NetSockPeerAddress = Cap(_netSockPeerAddr ?? _netPeerIp, AddressLength),
        NetSockPeerPort = _netSockPeerPort ?? (_netSockPeerAddr is null ? _netPeerPort : null),
        DbNamespace = Cap(_dbNamespace),
        DbName = Cap(_dbName),
        DbSystem = Cap(_dbSystem),
        DbSystemName = Cap(_dbSystemName),
        MessagingSystem = Cap(_messagingSystem),
        MessagingDestinationName = Cap(_messagingDestinationName ?? _messagingDestination),
        HttpResponseStatusCode = _httpResponseStatusCode ?? _httpStatusCode,
        ServiceNamespace = Cap(ServiceNamespace),
    };

    // An address becomes a node named "address:port": room is left for ":65535".
    private const int AddressLength = Span.MaxNameLength - 6;

    /// <summary>The name cut to <paramref name="max"/> characters, never between a surrogate pair; counted when cut.</summary>
    private string? Cap(string? name, int max = Span.MaxNameLength)
    {
        if (name is null || name.Length <= max)
        {
            return name;
        }
        TruncatedNames++;
        return name[..(char.IsHighSurrogate(name[max - 1]) ? max - 1 : max)];
    }
}
