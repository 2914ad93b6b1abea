using System.Buffers;
using System.Buffers.Binary;
using DepMap.Storage.Spans;

namespace DepMap.Storage.Aggregation;

/// <summary>
/// The traces a SQLite process's runs have taken in but not linked yet, kept in memory from one run
/// to the next instead of in their trace rows. A waiting row cost a write and a read of a random
/// page of the trace table per trace, about half of a fresh run's time (docs/benchmarks.md,
/// "Traces waiting in memory"). Nothing is lost with the process: the progress mark is held back
/// before the first span still waiting (<see cref="DurableMark"/>), so a new process takes those
/// spans in again from the span table, and drops those its trace rows already reference.
/// One process writes a SQLite file and the host's gate keeps its runs apart, so the state is valid
/// as long as the stored mark is the one its last commit wrote; any other mark, or a failed run,
/// starts it afresh from the stored mark. Bounded by <see cref="MaxSpans"/>: a trace that does not
/// fit waits in its row, as before. A trace's spans wait encoded in one array (<see cref="Add"/>:
/// its <see cref="SpanCodec"/> record and a few bytes, under the brief's 150 bytes a waiting span,
/// <c>PendingTracesTests</c>), and are decoded again when the trace is taken out.
/// Valid on the same terms, it also keeps which traces have a row (<see cref="StoredIds"/>), so a
/// run looks up only the rows that may exist, and where the linked rows' runs are (<see cref="Runs"/>).
/// </summary>
public sealed class PendingTraces
{
    /// <summary>Spans held at most: past it, traces wait in their rows.</summary>
    public const int DefaultMaxSpans = 300_000;

    // A trace's entry, inline in the dictionary: its row, and one array (Add) with everything else.
    private readonly Dictionary<long, (TraceRow? Row, byte[] Spans)> _traces = [];
    // Names shared by the spans decoded again, as the span reader shares them.
    private readonly SpanStrings _strings = new();
    private readonly ArrayBufferWriter<byte> _encoded = new(4096);
    private readonly ArrayBufferWriter<byte> _record = new(512);
    private int _spans;
    private int _count;

    public PendingTraces(int maxSpans = DefaultMaxSpans, TraceRunPolicy? runPolicy = null)
    {
        MaxSpans = maxSpans;
        RunPolicy = runPolicy ?? TraceRunPolicy.Default;
    }

    public int MaxSpans { get; }

    /// <summary>How the linked trace rows' runs are merged.</summary>
    public TraceRunPolicy RunPolicy { get; }

    /// <summary>Traces waiting in memory (read by the metrics from another thread).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The span table id this state has taken in up to.</summary>
    internal long Cursor { get; private set; }

    /// <summary>
    /// Which traces have a row, valid while this state is (the file's one writer is this process);
    /// null after a reset, and read from the table by the next run.
    /// </summary>
    internal StoredTraceIds? StoredIds { get; set; }

    /// <summary>The linked trace rows' runs, valid on the same terms as <see cref="StoredIds"/>; null after a reset.</summary>
    public TraceRuns? Runs { get; internal set; }

    /// <summary>The mark this state's last commit wrote; null until one did, or after a reset.</summary>
    internal long? CommittedMark { get; private set; }

    /// <summary>
    /// Starts a run at the stored <paramref name="mark"/>: keeps the state when its last commit wrote
    /// that mark, else empties it and takes in again from the mark. Returns the id to read after.
    /// </summary>
    internal long Begin(long? mark)
    {
        if (CommittedMark is null || CommittedMark != mark)
        {
            Reset(mark ?? 0);
        }
        return Cursor;
    }

    /// <summary>Forgets everything (a failed run); the next run takes in again from the stored mark.</summary>
    internal void Reset(long cursor = 0)
    {
        _traces.Clear();
        _traces.TrimExcess();
        _spans = 0;
        Volatile.Write(ref _count, 0);
        Cursor = cursor;
        CommittedMark = null;
        StoredIds = null;
        Runs = null;
    }

    internal void TakenInUpTo(long rowId) => Cursor = Math.Max(Cursor, rowId);

    internal void Committed(long mark) => CommittedMark = mark;

    /// <summary>True when <paramref name="spans"/> more spans fit.</summary>
    internal bool Fits(int spans) => _spans + spans <= MaxSpans;

    internal bool Contains(long traceIdLow) => _traces.ContainsKey(traceIdLow);

    /// <summary>Takes a trace out (to link it, or to put it back with more spans); null when it does not wait here.</summary>
    internal PendingTrace? Take(long traceIdLow)
    {
        if (!_traces.Remove(traceIdLow, out var waiting))
        {
            return null;
        }
        var spans = new List<StoredSpan>();
        ReadOnlySpan<byte> data = waiting.Spans;
        var lastArrival = BinaryPrimitives.ReadInt64LittleEndian(data);
        var firstHigh = BinaryPrimitives.ReadUInt64LittleEndian(data[8..]);
        var offset = 16;
        long rowId = 0;
        long receivedAt = 0;
        while (offset < data.Length)
        {
            rowId += TraceSpans.ZigZag(TraceSpans.ReadVarint(data, ref offset, unchecked((ulong)traceIdLow)));
            receivedAt += TraceSpans.ZigZag(TraceSpans.ReadVarint(data, ref offset, unchecked((ulong)traceIdLow)));
            var high = firstHigh ^ TraceSpans.ReadVarint(data, ref offset, unchecked((ulong)traceIdLow));
            var length = (int)TraceSpans.ReadVarint(data, ref offset, unchecked((ulong)traceIdLow));
            var span = SpanCodec.Decode(data.Slice(offset, length), new Core.Spans.TraceId(high, unchecked((ulong)traceIdLow)), _strings);
            offset += length;
            spans.Add(new StoredSpan(rowId, receivedAt, span));
        }
        _spans -= spans.Count;
        Volatile.Write(ref _count, _traces.Count);
        return new PendingTrace(traceIdLow, waiting.Row, spans, lastArrival);
    }

    /// <summary>
    /// Puts a trace to wait: its last arrival and its first span's trace id high bits, then its spans,
    /// each as varints (its row id and arrival as differences from the span before, its high bits
    /// as their difference from the first's, its record's length) and its record, in one array.
    /// </summary>
    internal void Add(PendingTrace trace)
    {
        _encoded.ResetWrittenCount();
        var firstHigh = trace.Spans[0].Span.TraceId.High;
        var head = _encoded.GetSpan(16);
        BinaryPrimitives.WriteInt64LittleEndian(head, trace.LastArrivalUnixMs);
        BinaryPrimitives.WriteUInt64LittleEndian(head[8..], firstHigh);
        _encoded.Advance(16);
        long rowId = 0;
        long receivedAt = 0;
        foreach (var span in trace.Spans)
        {
            _record.ResetWrittenCount();
            SpanCodec.Encode(span.Span, _record);
            TraceSpans.WriteVarint(_encoded, TraceSpans.ZigZag(span.RowId - rowId));
            TraceSpans.WriteVarint(_encoded, TraceSpans.ZigZag(span.ReceivedAtUnixMs - receivedAt));
            TraceSpans.WriteVarint(_encoded, span.Span.TraceId.High ^ firstHigh);
            TraceSpans.WriteVarint(_encoded, (ulong)_record.WrittenCount);
            _encoded.Write(_record.WrittenSpan);
            (rowId, receivedAt) = (span.RowId, span.ReceivedAtUnixMs);
        }
        _traces.Add(trace.TraceIdLow, (trace.Row, _encoded.WrittenSpan.ToArray()));
        _spans += trace.Spans.Count;
        Volatile.Write(ref _count, _traces.Count);
    }

    /// <summary>
    /// The mark a commit may write with the state as it is: just before the first span still
    /// waiting here, else <paramref name="takenInUpTo"/>. It only moves on: a trace starts waiting
    /// here with spans past the mark its state last committed. A scan, once a batch: a few
    /// nanoseconds a waiting trace, less than keeping them ordered.
    /// </summary>
    internal long DurableMark(long takenInUpTo)
    {
        var mark = takenInUpTo;
        foreach (var waiting in _traces.Values)
        {
            // The first span's row id is the first varint after the 16 bytes of head.
            var offset = 16;
            mark = Math.Min(mark, TraceSpans.ZigZag(TraceSpans.ReadVarint(waiting.Spans, ref offset, 0)) - 1);
        }
        return mark;
    }

    /// <summary>Up to <paramref name="limit"/> traces whose last span arrived at or before <paramref name="arrivedBy"/>, taken out.</summary>
    internal List<PendingTrace> TakeArrivedBy(long arrivedBy, int limit)
    {
        var due = new List<long>();
        foreach (var (traceIdLow, waiting) in _traces)
        {
            if (LastArrival(waiting.Spans) <= arrivedBy)
            {
                due.Add(traceIdLow);
                if (due.Count == limit)
                {
                    break;
                }
            }
        }
        return due.Select(traceIdLow => Take(traceIdLow)!).ToList();
    }

    private static long LastArrival(byte[] spans) => BinaryPrimitives.ReadInt64LittleEndian(spans);

    /// <summary>When the earliest-arrived trace waiting here last received a span; null when none waits.</summary>
    internal long? EarliestLastArrival()
    {
        long? earliest = null;
        foreach (var waiting in _traces.Values)
        {
            if (earliest is null || LastArrival(waiting.Spans) < earliest)
            {
                earliest = LastArrival(waiting.Spans);
            }
        }
        return earliest;
    }
}

/// <summary>
/// A trace waiting in memory: its row as stored when it started waiting (its earlier, linked spans;
/// null for a new trace), and the spans taken in since, in take-in order.
/// </summary>
internal sealed record PendingTrace(long TraceIdLow, TraceRow? Row, List<StoredSpan> Spans, long LastArrivalUnixMs);
