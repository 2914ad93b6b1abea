using DepMap.Storage.Spans;

namespace DepMap.Storage.Aggregation;

/// <summary>
/// The traces a SQLite process's runs have taken in but not linked yet, kept in memory from one run
/// to the next instead of in their trace rows. A pending row cost a write and a read of a random
/// page of the trace table per trace, about half of a fresh run's time (docs/benchmarks.md,
/// "Pending traces in memory"). Nothing is lost with the process: the progress mark is held back
/// before the first span still pending (<see cref="DurableMark"/>), so a new process takes those
/// spans in again from the span table, and drops those its trace rows already reference.
/// One process writes a SQLite file and the host's gate keeps its runs apart, so the state is valid
/// as long as the stored mark is the one its last commit wrote; any other mark, or a failed run,
/// starts it afresh from the stored mark. Bounded by <see cref="MaxSpans"/>: a trace that does not
/// fit waits in its row, as before. A span waits encoded (<see cref="SpanCodec"/>, about 130 bytes
/// with its row id and arrival, against about 290 decoded), and is decoded again when its trace is
/// taken out.
/// </summary>
public sealed class PendingTraces
{
    /// <summary>Spans held at most (about 130 bytes each): past it, traces wait in their rows.</summary>
    public const int DefaultMaxSpans = 300_000;

    private readonly Dictionary<long, Waiting> _traces = [];
    // Names shared by the spans decoded again, as the span reader shares them.
    private readonly SpanStrings _strings = new();
    // The pending traces by their first span, oldest first; an entry whose trace was linked or
    // started pending again later is stale and skipped when it reaches the front. A heap, not a
    // queue: traces start waiting in the batch's order of traces, and after a restart a trace's
    // first span taken in again may be one its row already has, so first spans come out of order.
    private readonly PriorityQueue<(long FirstRowId, long TraceIdLow), long> _order = new();
    private int _spans;
    private int _count;

    public PendingTraces(int maxSpans = DefaultMaxSpans) => MaxSpans = maxSpans;

    public int MaxSpans { get; }

    /// <summary>Traces waiting in memory (read by the metrics from another thread).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The span table id this state has taken in up to.</summary>
    internal long Cursor { get; private set; }

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
        _order.Clear();
        _spans = 0;
        Volatile.Write(ref _count, 0);
        Cursor = cursor;
        CommittedMark = null;
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
        _spans -= waiting.Spans.Length;
        Volatile.Write(ref _count, _traces.Count);
        var spans = new List<StoredSpan>(waiting.Spans.Length + 4);
        foreach (var span in waiting.Spans)
        {
            var traceId = new Core.Spans.TraceId(unchecked((ulong)span.TraceIdHigh), unchecked((ulong)traceIdLow));
            spans.Add(new StoredSpan(span.RowId, span.ReceivedAtUnixMs, SpanCodec.Decode(span.Record, traceId, _strings)));
        }
        return new PendingTrace(traceIdLow, waiting.Row, spans, waiting.LastArrivalUnixMs);
    }

    internal void Add(PendingTrace trace)
    {
        var spans = new WaitingSpan[trace.Spans.Count];
        for (var i = 0; i < spans.Length; i++)
        {
            var span = trace.Spans[i];
            spans[i] = new WaitingSpan(span.RowId, span.ReceivedAtUnixMs, unchecked((long)span.Span.TraceId.High), SpanCodec.Encode(span.Span));
        }
        _traces.Add(trace.TraceIdLow, new Waiting(trace.Row, spans, trace.LastArrivalUnixMs));
        _spans += spans.Length;
        Volatile.Write(ref _count, _traces.Count);
        _order.Enqueue((spans[0].RowId, trace.TraceIdLow), spans[0].RowId);
    }

    /// <summary>
    /// The mark a commit may write with the state as it is: just before the first span still
    /// pending here, else <paramref name="takenInUpTo"/>. It only moves on: a trace starts waiting
    /// here with spans past the mark its state last committed.
    /// </summary>
    internal long DurableMark(long takenInUpTo)
    {
        while (_order.TryPeek(out var first, out _) &&
            !(_traces.TryGetValue(first.TraceIdLow, out var waiting) && waiting.Spans[0].RowId == first.FirstRowId))
        {
            _order.Dequeue();
        }
        return _order.TryPeek(out var oldest, out _) ? Math.Min(oldest.FirstRowId - 1, takenInUpTo) : takenInUpTo;
    }

    /// <summary>Up to <paramref name="limit"/> traces whose last span arrived at or before <paramref name="arrivedBy"/>, taken out.</summary>
    internal List<PendingTrace> TakeArrivedBy(long arrivedBy, int limit)
    {
        var due = new List<long>();
        foreach (var (traceIdLow, waiting) in _traces)
        {
            if (waiting.LastArrivalUnixMs <= arrivedBy)
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

    /// <summary>When the earliest-arrived trace waiting here last received a span; null when none waits.</summary>
    internal long? EarliestLastArrival()
    {
        long? earliest = null;
        foreach (var waiting in _traces.Values)
        {
            if (earliest is null || waiting.LastArrivalUnixMs < earliest)
            {
                earliest = waiting.LastArrivalUnixMs;
            }
        }
        return earliest;
    }

    /// <summary>A trace as it waits here: its row as stored, its spans since, encoded.</summary>
    private sealed record Waiting(TraceRow? Row, WaitingSpan[] Spans, long LastArrivalUnixMs);

    private readonly record struct WaitingSpan(long RowId, long ReceivedAtUnixMs, long TraceIdHigh, byte[] Record);
}

/// <summary>
/// A trace waiting in memory: its row as stored when it started waiting (its earlier, linked spans;
/// null for a new trace), and the spans taken in since, in take-in order.
/// </summary>
internal sealed record PendingTrace(long TraceIdLow, TraceRow? Row, List<StoredSpan> Spans, long LastArrivalUnixMs);
