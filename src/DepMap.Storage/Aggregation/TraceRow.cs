namespace DepMap.Storage.Aggregation;

/// <summary>
/// Every span of one trace (grouped by <see cref="Core.Spans.TraceId.Low"/>, as Zipkin groups
/// 64- and 128-bit ids) and how far it has been linked. Keyed by trace, and so built per trace by
/// the aggregation rather than per span by ingest: the ingest path stays append-only.
/// </summary>
public sealed class TraceRow
{
    public long TraceIdLow { get; set; }
    /// <summary>The spans in arrival order, in <see cref="TraceSpans"/>' format.</summary>
    public byte[] Spans { get; set; } = [];
    public int SpanCount { get; set; }
    /// <summary>How many of the first spans the last link saw: re-linking them reproduces what was added.</summary>
    public int LinkedSpanCount { get; set; }
    /// <summary>Spans arrived since the last link; with <see cref="LastArrivalUnixMs"/> this finds the settled traces by index.</summary>
    public bool Pending { get; set; }
    public long LastArrivalUnixMs { get; set; }
    public long? LinkedAtUnixMs { get; set; }
}
