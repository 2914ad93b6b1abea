namespace DepMap.Core.Reliability;

/// <summary>A service's health band by its originated error rate; it colours the graph's nodes.</summary>
public enum ServiceHealth : byte
{
    Healthy = 0,
    Degraded = 1,
    Failing = 2,
}
