namespace DepMap.Core.Graph;

/// <summary>A node's health band, filled by the reliability ranking; null on a node means not assessed.</summary>
public enum NodeHealth : byte
{
    Healthy = 0,
    Degraded = 1,
    Failing = 2,
}
