namespace DepMap.Storage.Aggregation;

/// <summary>
/// The index of span links across traces: a linked trace (<see cref="SourceTraceIdLow"/>) has a
/// consumer span that links to a span of <see cref="TargetTraceIdLow"/>. Written with the source's
/// trace row in the same transaction, whether the target was seen or not, so that when the target
/// trace is linked (before or after) the aggregation finds the source and re-links it by difference.
/// Keyed target first: the lookup is "who links to these traces".
/// </summary>
public sealed class TraceLinkRow
{
    public const string Table = "trace_links";
    public const string TargetColumn = "target_trace_id_low";
    public const string SourceColumn = "source_trace_id_low";

    public long TargetTraceIdLow { get; set; }
    public long SourceTraceIdLow { get; set; }
}
