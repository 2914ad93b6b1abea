namespace DepMap.Core.Reliability;

/// <summary>A call from one service to a named callee (a service, a database, an uninstrumented peer).</summary>
public readonly record struct ServiceEdge(string Caller, string Callee);

/// <summary>
/// The calls along one edge. A call fails when either side failed, counted once. A failed call's
/// error originated <see cref="FailedDownstream"/> when the callee's side failed (its cause lies in
/// the callee's subtree), else <see cref="FailedAtClient"/> (the client span alone failed, as a
/// leaf database call or a client-side timeout does).
/// </summary>
public readonly record struct EdgeFacts(long Calls, long Failed, long FailedDownstream, long FailedAtClient)
{
    public static EdgeFacts operator +(EdgeFacts a, EdgeFacts b) => new(
        a.Calls + b.Calls, a.Failed + b.Failed, a.FailedDownstream + b.FailedDownstream, a.FailedAtClient + b.FailedAtClient);

    public static EdgeFacts operator -(EdgeFacts a, EdgeFacts b) => new(
        a.Calls - b.Calls, a.Failed - b.Failed, a.FailedDownstream - b.FailedDownstream, a.FailedAtClient - b.FailedAtClient);

    public bool IsZero => this == default;
}
