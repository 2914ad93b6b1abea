namespace DepMap.Core.Diff;

/// <summary>Which duration an edge's latency change compares.</summary>
public enum LatencySide : byte
{
    /// <summary>Reported by the callee: its own work, free of network and client queueing.</summary>
    Server = 0,

    /// <summary>Seen by the caller: all there is for a database or an uninstrumented peer.</summary>
    Client = 1,
}
