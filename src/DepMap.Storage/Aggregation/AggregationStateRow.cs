namespace DepMap.Storage.Aggregation;

/// <summary>
/// The aggregation's progress mark: every span with an id up to <see cref="LastSpanId"/> is in its
/// trace's row. Written in the same transaction as those rows, so a run killed before its commit
/// leaves the mark where the rows are.
/// </summary>
public sealed class AggregationStateRow
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;
    public long LastSpanId { get; set; }
}
