using DepMap.Core.Linking;

namespace DepMap.Core.Statistics;

/// <summary>
/// An edge of the service graph: who calls whom, and how (Tempo's connection type). The same two
/// services talking over RPC and over a queue are two edges, as in Tempo's service graphs.
/// Ordered by caller, callee, then connection type (ordinal), so every writer's output is deterministic.
/// </summary>
public readonly record struct EdgeKey(string Caller, string Callee, ConnectionType ConnectionType) : IComparable<EdgeKey>
{
    public int CompareTo(EdgeKey other)
    {
        var byCaller = string.CompareOrdinal(Caller, other.Caller);
        if (byCaller != 0)
        {
            return byCaller;
        }
        var byCallee = string.CompareOrdinal(Callee, other.Callee);
        return byCallee != 0 ? byCallee : ConnectionType.CompareTo(other.ConnectionType);
    }
}
