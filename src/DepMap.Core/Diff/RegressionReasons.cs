namespace DepMap.Core.Diff;

/// <summary>Why an edge counts as regressed.</summary>
[Flags]
public enum RegressionReasons : byte
{
    None = 0,
    ErrorRate = 1,
    P99 = 2,
}
