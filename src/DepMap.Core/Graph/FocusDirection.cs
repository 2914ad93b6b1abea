namespace DepMap.Core.Graph;

/// <summary>Which way to walk from a focused service: towards its callers, its callees, or both.</summary>
public enum FocusDirection : byte
{
    Both = 0,
    Upstream = 1,
    Downstream = 2,
}
