namespace DepMap.Storage.Aggregation;

/// <summary>
/// A seam for the exactly-once tests: registered only by tests, it runs inside the transaction right
/// before each batch's commit (given the batch's number in the run, from 1), so a test can stop a run
/// after its reads and writes but before the commit, as a killed process would.
/// </summary>
internal sealed class AggregationFaults
{
    public Action<int>? BeforeCommit { get; set; }
}
