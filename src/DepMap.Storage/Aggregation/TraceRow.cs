namespace DepMap.Storage.Aggregation;

/// <summary>
/// What the aggregation keeps of one trace (grouped by <see cref="Core.Spans.TraceId.Low"/>, as
/// Zipkin groups 64- and 128-bit ids): its spans, as references into the span table once linked or
/// as copies while it waits, and how far it has been linked. Keyed by trace, and so written once
/// per trace by the aggregation rather than per span by ingest: the ingest path stays append-only.
/// </summary>
public sealed class TraceRow
{
    public const string Table = "traces";
    public const string TraceIdLowColumn = "trace_id_low";
    public const string SpansColumn = "spans";
    public const string SpanCountColumn = "span_count";
    public const string LinkedSpanCountColumn = "linked_span_count";
    public const string PendingColumn = "pending";
    public const string LastArrivalColumn = "last_arrival_unix_ms";
    public const string LinkedAtColumn = "linked_at_unix_ms";

    public long TraceIdLow { get; set; }
    /// <summary>The spans in the order taken in, in <see cref="TraceSpans"/>' format.</summary>
    public byte[] Spans { get; set; } = [];
    public int SpanCount { get; set; }
    /// <summary>How many of the first spans the last link saw: re-linking them reproduces what was added.</summary>
    public int LinkedSpanCount { get; set; }
    /// <summary>The trace has spans taken in but not linked yet (it was still receiving spans); retention keeps it.</summary>
    public bool Pending { get; set; }
    public long LastArrivalUnixMs { get; set; }
    public long? LinkedAtUnixMs { get; set; }
}
