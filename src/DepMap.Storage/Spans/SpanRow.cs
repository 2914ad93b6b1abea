using DepMap.Core.Spans;

namespace DepMap.Storage.Spans;

/// <summary>
/// One accepted span as stored: append-only, in arrival order. <see cref="Id"/> is assigned by the
/// single writer in commit order, so "every row with an id above my mark" never misses a row that
/// commits later. Deliberately no index on the trace id: a B-tree keyed by a random id, maintained
/// on every insert, cuts SQLite's append rate about fourfold; whatever is keyed by trace is built per
/// trace by the aggregation.
/// </summary>
public sealed class SpanRow
{
    public const string Table = "spans";
    public const string IdColumn = "id";
    public const string TraceIdHighColumn = "trace_id_high";
    public const string TraceIdLowColumn = "trace_id_low";
    public const string ReceivedAtColumn = "received_at_unix_ms";
    public const string DataColumn = "data";

    public long Id { get; set; }
    // Signed because neither SQLite nor PostgreSQL has an unsigned 64-bit integer; the bits are the id's.
    public long TraceIdHigh { get; set; }
    public long TraceIdLow { get; set; }
    /// <summary>When the writer committed the row (Unix milliseconds); non-decreasing with <see cref="Id"/>.</summary>
    public long ReceivedAtUnixMs { get; set; }
    /// <summary>The span without its trace id, in <see cref="SpanCodec"/>'s format.</summary>
    public byte[] Data { get; set; } = [];

    public TraceId TraceId => new(unchecked((ulong)TraceIdHigh), unchecked((ulong)TraceIdLow));

    public Span ToSpan() => SpanCodec.Decode(Data, TraceId);
}
