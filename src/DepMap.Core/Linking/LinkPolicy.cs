using DepMap.Core.Spans;

namespace DepMap.Core.Linking;

/// <summary>
/// Everything the two views decide differently, in one place: the tree walk asks this object at
/// each fork, so the Zipkin-compatible links and the DepMap graph come from the same code.
/// </summary>
internal sealed class LinkPolicy
{
    private static readonly LinkPolicy ZipkinDefault = new(LinkerOptions.Zipkin);
    private static readonly LinkPolicy DepMapDefault = new(LinkerOptions.DepMap);

    private readonly bool _zipkin;

    private LinkPolicy(LinkerOptions options)
    {
        _zipkin = options.View == LinkView.Zipkin;
        EntryNodeName = Name(options.EntryNodeName);
    }

    public static LinkPolicy For(LinkerOptions options) =>
        options == LinkerOptions.Zipkin ? ZipkinDefault
        : options == LinkerOptions.DepMap ? DepMapDefault
        : new LinkPolicy(options);

    /// <summary>Caller of a root SERVER/CONSUMER span that names no caller; null: no entry edge.</summary>
    public string? EntryNodeName { get; }

    /// <summary>
    /// DepMap pairs a consumer with the producer in another service that it descends from or links
    /// to; Zipkin only links messaging spans to a named broker, never producer to consumer.
    /// </summary>
    public bool DirectMessaging => !_zipkin;

    /// <summary>Zipkin's links know no unnamed calls; DepMap counts them in its statistics.</summary>
    public bool CountsUnnamedCalls => !_zipkin;

    /// <summary>
    /// Zipkin links a server to the nearest remote ancestor even in its own service (nested server
    /// spans of one process); DepMap draws a self edge only for a real loopback RPC.
    /// </summary>
    public bool LinksNestedServers => _zipkin;

    /// <summary>
    /// Zipkin lower-cases service names; DepMap keeps their case. Both treat an empty value as absent.
    /// </summary>
    public string? Name(string? value) =>
        string.IsNullOrEmpty(value) ? null : _zipkin ? value.ToLowerInvariant() : value;

    /// <summary>
    /// Zipkin: any child means a server answered, so the client defers to it. DepMap: only a
    /// SERVER/CONSUMER whose nearest remote ancestor is this client answers it; a client whose only
    /// children are its own INTERNAL spans (<c>dns.lookup</c>) still calls its peer.
    /// </summary>
    public bool ClientAnswered(bool hasChildren, bool answeredByServer) => _zipkin ? hasChildren : answeredByServer;

    /// <summary>
    /// Zipkin backfills the hop into a client's service only for the clients it links; DepMap for
    /// every client, because the hop exists whether or not the client was answered.
    /// </summary>
    public bool BackfillsAnsweredClients => !_zipkin;

    /// <summary>The peer a leaf client calls: Zipkin only trusts the remote endpoint.</summary>
    public string? LeafPeer(Span client) => _zipkin ? Name(client.RemoteService) : PeerNames.LeafPeer(client);

    public string? Broker(Span span) => _zipkin ? Name(span.RemoteService) : PeerNames.Broker(span);

    public string? UnreportedCaller(Span server) => _zipkin ? Name(server.RemoteService) : PeerNames.UnreportedCaller(server);

    /// <summary>
    /// DepMap: a call fails when either side failed. Zipkin: the span's own <c>error</c> tag, else
    /// its parent client's, and only when that client is its direct parent (so a shared-id RPC,
    /// whose server's parent is the client's parent, ignores the client's error).
    /// </summary>
    public bool Failed(Span current, Span? remoteAncestor)
    {
        if (current.Error || remoteAncestor is null)
        {
            return current.Error;
        }
        if (!_zipkin)
        {
            return current.Kind is SpanKind.Server or SpanKind.Consumer
                && remoteAncestor.Kind is SpanKind.Client or SpanKind.Producer && remoteAncestor.Error;
        }
        return remoteAncestor.Kind == SpanKind.Client && current.ParentId != 0
            && current.ParentId == remoteAncestor.SpanId && remoteAncestor.Error;
    }

    public ConnectionType Connection(ConnectionType type) => _zipkin ? ConnectionType.None : type;
}
