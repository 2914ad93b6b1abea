namespace DepMap.Server.Features.Aggregation;

/// <summary>Where a run commits: taking spans into their traces, or applying linked traces to the statistics.</summary>
internal enum AggregationStep
{
    Intake,
    Statistics,
}

/// <summary>
/// A seam for the exactly-once tests: registered only by tests, it runs inside the transaction right
/// before each commit, so a test can stop a run after its reads and writes but before the commit,
/// as a killed process would.
/// </summary>
internal sealed class AggregationFaults
{
    public Action<AggregationStep>? BeforeCommit { get; set; }
}
