using DepMap.Core.Spans;

namespace DepMap.Core.Linking;

/// <summary>
/// How a call crosses the boundary, in Grafana Tempo's service-graph words so Grafana users
/// recognise them: an instrumented RPC (<see cref="None"/>, Tempo's empty string), a database,
/// a messaging system, or an uninstrumented peer (<see cref="VirtualNode"/>).
/// </summary>
public enum ConnectionType : byte
{
    None = 0,
    Database = 1,
    MessagingSystem = 2,
    VirtualNode = 3,
}

/// <summary>What a node of the graph is. Instrumented services report spans; the others are inferred.</summary>
public enum NodeType : byte
{
    Service = 0,
    Database = 1,
    Broker = 2,
    External = 3,
    User = 4,
}

/// <summary>
/// One call across a service boundary, found by the linker in one trace. Durations are null when
/// that side was not reported (a leaf client has no server side; an entry edge has no client side).
/// </summary>
public sealed record Call
{
    public required string Caller { get; init; }
    public NodeType CallerType { get; init; }
    public string? CallerNamespace { get; init; }
    public required string Callee { get; init; }
    public NodeType CalleeType { get; init; }
    public string? CalleeNamespace { get; init; }
    public ConnectionType ConnectionType { get; init; }
    /// <summary>Either side failed; counted once per call.</summary>
    public bool Failed { get; init; }
    public long? ClientDurationNano { get; init; }
    public long? ServerDurationNano { get; init; }
    /// <summary>The server span's name, else the client's (<c>GET /tracking/:id</c>, <c>SELECT orders</c>).</summary>
    public string? Operation { get; init; }
    /// <summary>When the call started: the client side's start, else the server side's.</summary>
    public long StartUnixNano { get; init; }
    public TraceId TraceId { get; init; }
    /// <summary>Messaging only: the broker (<c>messaging.system</c> or Zipkin's remote endpoint) and destination.</summary>
    public string? Broker { get; init; }
    public string? Destination { get; init; }
    /// <summary>Producer end to consumer start; null when unknown or not positive (clock skew).</summary>
    public long? QueueDelayNano { get; init; }
}

/// <summary>A client or producer call whose peer could not be named: no edge, but counted.</summary>
public readonly record struct UnnamedCall(string Caller, bool Failed, long StartUnixNano);

/// <summary>Everything the linker found in one trace.</summary>
public sealed record LinkedTrace(IReadOnlyList<Call> Calls, IReadOnlyList<UnnamedCall> UnnamedCalls)
{
    public static readonly LinkedTrace Empty = new([], []);

    // The linker's arrays as they are: a foreach over the interface boxed an enumerator for every
    // trace in each of the aggregation's loops over it.
    internal ReadOnlySpan<Call> CallItems => Calls as Call[] ?? [.. Calls];

    internal ReadOnlySpan<UnnamedCall> UnnamedCallItems => UnnamedCalls as UnnamedCall[] ?? [.. UnnamedCalls];
}
