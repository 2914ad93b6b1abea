using System.Buffers;
using System.Runtime.InteropServices;
using DepMap.Core.Aggregation;
using DepMap.Core.Linking;
using DepMap.Core.Spans;
using DepMap.Storage.Spans;
using DepMap.Storage.Statistics;
using Microsoft.Extensions.Logging;

namespace DepMap.Storage.Aggregation;

/// <summary>
/// One aggregation run, whichever store holds the spans (its own SQL sits behind
/// <see cref="IAggregationStore"/>). It reads every committed span past the progress mark, straight
/// from the span table in take-in order, a batch at a time, and links each trace of a batch as soon
/// as it can: a complete trace (Core's <see cref="TraceCompleteness"/>) at once, an incomplete one
/// once its grace has passed (its last span arrived at or before the run's grace point,
/// <see cref="AggregationRun.SettledAtUnixMs"/>). A trace that also has spans in the next batch or
/// past the run's end is still receiving and waits, as does an incomplete trace within its grace.
/// On SQLite it waits in memory (<see cref="PendingTraces"/>), and the mark is held back before its
/// first span, so a new process takes it in again; past the memory's bound, and on PostgreSQL, its
/// row holds the spans not linked yet (pending). Since a waiting trace need not get another span,
/// each settled run ends with a sweep that links the waiting traces whose grace has passed (a flush
/// sweeps them all). Each batch, and each sweep batch, commits its statistics
/// change, its trace rows and the mark (moved, or compared unchanged for a sweep) in one
/// transaction, so a run killed anywhere leaves either all of a batch or none of it.
/// A trace linked before (a late span) is linked again as it was, its first
/// <see cref="TraceRow.LinkedSpanCount"/> spans, and that is subtracted, then linked with every span
/// and added: the statistics change by exactly the difference.
/// A batch commits on a second connection while the next one is linked on the first and the one
/// after it is read on a third, so the store's reading and writing and the linking share the cores; the next batch finds the committing
/// batch's trace rows in memory and its statistics in the run's <see cref="StatisticsBuckets"/>.
/// The per-trace work (both linker views, reliability facts, the deltas, the pairing of messaging
/// across traces) is Core's <see cref="BatchLinker"/>; this run answers its questions about traces
/// outside the batch as <see cref="IRelatedTraces"/>.
/// </summary>
internal sealed partial class AggregationRunner : IRelatedTraces
{
    private readonly IAggregationStore _store;
    private readonly AggregationRun _run;
    private readonly AggregationFaults? _faults;
    private readonly ILogger _logger;
    private readonly StatisticsBuckets _statistics;
    private readonly PendingTraces? _memory;
    private Dictionary<long, TraceRow> _committing = [];
    // Spans sent again are dropped where they meet their trace (RepeatedSpans); used by the run's own thread only.
    private readonly RepeatedSpans _repeats = new();
    private List<(long Target, long Source)> _committingLinks = [];
    private bool _anyTraceLinks;
    private int _batches;

    /// <summary>A recurring run with more batches than this to take in has fallen behind (<see cref="IsBehind"/>).</summary>
    internal const int BehindBatches = 3;

    /// <summary>A run over <paramref name="store"/>; traces still receiving spans wait between runs in <paramref name="memory"/> (SQLite's one process), or in their rows when null (PostgreSQL's several instances).</summary>
    public AggregationRunner(IAggregationStore store, AggregationRun run, AggregationFaults? faults, ILogger logger, PendingTraces? memory = null)
    {
        _store = store;
        _memory = memory;
        _run = run;
        _faults = faults;
        _logger = logger;
        _statistics = new StatisticsBuckets(store.Reads, logger);
    }

    public bool AnyTraceLinks => _anyTraceLinks;

    /// <summary>
    /// Links every complete trace and every trace whose grace has passed (every trace in a flush),
    /// calling <paramref name="committed"/> after each batch that changed the statistics.
    /// </summary>
    public async Task<AggregationTotals> RunAsync(Action<ServiceGraphChange> committed, CancellationToken cancellationToken)
    {
        try
        {
            return await TakeInAsync(committed, cancellationToken);
        }
        catch
        {
            // What waited in memory may be half applied: the next run takes it in again from the stored mark.
            _memory?.Reset();
            throw;
        }
    }

    private async Task<AggregationTotals> TakeInAsync(Action<ServiceGraphChange> committed, CancellationToken cancellationToken)
    {
        var settledAtUnixMs = _run.SettledAtUnixMs;
        var mark = await _store.ReadMarkAsync(cancellationToken);
        // With traces waiting in memory the stored mark is held back before the first of them; this
        // process reads on from where it took spans in up to.
        var readFrom = _memory is null ? mark ?? default : new SpanPosition(0, _memory.Begin(mark?.Id));
        if (_memory is { StoredIds: null or { IsFull: true } } or { Runs: null })
        {
            // A state started afresh (a new process, another writer's mark, a failed run), or a filter
            // past its size: one read of each trace table's ids, through the reading context as the
            // statistics are (only SQLite keeps traces in memory, so no store of its own needs it);
            // the runs' ids go into the filter as the runs are read.
            var (storedIds, byIdRows) = new TraceRows(_store.Reads).ReadIds();
            _memory.Runs = TraceRuns.Read(_store.Reads, _memory.RunPolicy, storedIds.Add, byIdRows);
            _memory.StoredIds = storedIds;
        }
        var unsettled = new HashSet<long>();
        var end = await _store.ReadEndAsync(readFrom, flush: settledAtUnixMs is null, unsettled, cancellationToken);
        _anyTraceLinks = _store.AnyTraceLinks();

        long spans = 0;
        long traces = 0;
        // A flush (a rebuild, a script, a test) takes both cores; a recurring run, which shares the
        // machine with ingest, reads, links and commits one after another on one at a time: with the
        // three overlapping, ingest's p99 latency at 50,000 spans/s was 87 ms instead of 14. Unless
        // it has fallen behind: then the graph is already stale and catching up matters more than
        // ingest's latency, so a run with more than a few batches to take in overlaps too.
        var overlap = settledAtUnixMs is null || IsBehind(readFrom, end);
        (Task Task, PreparedBatch Batch)? commit = null;
        async Task FinishCommitAsync()
        {
            if (commit is { } under)
            {
                commit = null;
                await under.Task;
                if (under.Batch.Linked > 0)
                {
                    // Only now: told after the commit, a batch a crash undid is never in the metrics.
                    committed(under.Batch.Calls);
                }
            }
        }

        var batchSize = !_run.IsFlush && overlap && _run.CatchUpBatchSize is { } catchUp ? Math.Max(catchUp, _run.BatchSize) : _run.BatchSize;
        await using var batches = await _store.OpenBatchesAsync(readFrom, end, batchSize, readAhead: overlap, cancellationToken);
        try
        {
            var batch = await batches.NextAsync();
            while (batch.Spans.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var last = batch.End;
                var next = await batches.NextAsync();
                var inNext = new HashSet<long>(next.Spans.Select(span => unchecked((long)span.Span.TraceId.Low)));
                var prepared = await PrepareAsync(batch.Spans, id => inNext.Contains(id) || unsettled.Contains(id), cancellationToken);
                await FinishCommitAsync();
                Committing(prepared);
                var from = mark;
                var to = HeldBack(last);
                commit = (overlap
                    ? Task.Run(() => CommitAsync(prepared, from, to, cancellationToken), cancellationToken)
                    : CommitAsync(prepared, from, to, cancellationToken), prepared);
                if (!overlap)
                {
                    await FinishCommitAsync();
                }
                spans += batch.Spans.Count;
                traces += prepared.Linked;
                mark = to;
                batch = next;
            }
            await FinishCommitAsync();
            traces += await SweepAsync(mark, committed, cancellationToken);
        }
        finally
        {
            // A failed batch ends the run; a commit still under way finishes (or fails) before its connection goes.
            if (commit is { } under)
            {
                await under.Task.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }
        }
        var pendingSince = _store.ReadPending(long.MaxValue, null, 1).FirstOrDefault()?.LastArrivalUnixMs;
        if (_memory?.EarliestLastArrival() is { } waitingSince && (pendingSince is null || waitingSince < pendingSince))
        {
            pendingSince = waitingSince;
        }
        return new AggregationTotals(spans, traces) { PendingSinceUnixMs = pendingSince };
    }

    /// <summary>
    /// The mark a commit writes once the spans up to <paramref name="takenIn"/> are taken in: that,
    /// or with traces waiting in memory, just before the first of their spans. The state is told
    /// of it now; a commit that fails fails the run, and the run resets the state.
    /// </summary>
    private SpanPosition HeldBack(SpanPosition takenIn)
    {
        if (_memory is null)
        {
            return takenIn;
        }
        _memory.TakenInUpTo(takenIn.Id);
        var held = new SpanPosition(0, _memory.DurableMark(takenIn.Id));
        _memory.Committed(held.Id);
        return held;
    }

    // Pending traces linked per sweep transaction: a sweep's rows are few next to a batch's spans.
    private const int SweepBatch = 5_000;

    /// <summary>
    /// Links the pending traces whose grace has passed (all of them in a flush): first those waiting
    /// in memory, in transactions that move the held-back mark on; then those waiting in their rows,
    /// oldest first, in transactions that compare the mark unchanged: a run that took spans in
    /// meanwhile fails it, as it would a batch. Returns how many traces it linked.
    /// </summary>
    private async Task<long> SweepAsync(SpanPosition? mark, Action<ServiceGraphChange> committed, CancellationToken cancellationToken)
    {
        if (mark is null)
        {
            // Nothing ever committed, so nothing waits.
            return 0;
        }
        var graceAt = _run.SettledAtUnixMs ?? long.MaxValue;
        long linked = 0;
        while (_memory?.TakeArrivedBy(graceAt, SweepBatch) is { Count: > 0 } due)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var buffer = new ArrayBufferWriter<byte>();
            var rows = new List<TraceRow>(due.Count);
            var linkedNow = new List<TraceToLink>(due.Count);
            var earlier = ReadEarlierSpans(due.Where(t => t.Row is not null).Select(t => (t.Row!, t.Spans.Count)));
            foreach (var trace in due)
            {
                var row = trace.Row;
                List<Span> spans = [];
                long lastReference = 0;
                if (row is not null && earlier.TryGetValue(trace.TraceIdLow, out var earlierOfRow))
                {
                    (spans, lastReference) = earlierOfRow;
                }
                else if (row is not null)
                {
                    LogEarlierSpansGone(_logger, unchecked((ulong)trace.TraceIdLow));
                    row = null;
                }
                var (toLink, linkedRow) = Linked(trace.TraceIdLow, row, spans, lastReference, trace.Spans,
                    Math.Max(row?.LastArrivalUnixMs ?? long.MinValue, trace.LastArrivalUnixMs), buffer);
                linkedNow.Add(toLink);
                rows.Add(linkedRow);
            }
            var to = HeldBack(new SpanPosition(0, _memory.Cursor));
            await CommitLinkedAsync(linkedNow, rows, mark, to, committed, cancellationToken);
            mark = to;
            linked += linkedNow.Count;
        }
        (long Arrival, long TraceIdLow)? after = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var pending = _store.ReadPending(graceAt, after, SweepBatch);
            if (pending.Count == 0)
            {
                return linked;
            }
            after = (pending[^1].LastArrivalUnixMs, pending[^1].TraceIdLow);
            var rows = new List<TraceRow>(pending.Count);
            var linkedNow = new List<TraceToLink>(pending.Count);
            var earlier = ReadEarlierSpans(pending.Select(row => (row, 0)));
            foreach (var row in pending)
            {
                if (earlier.TryGetValue(row.TraceIdLow, out var found) && found.Spans is var spans)
                {
                    linkedNow.Add(new TraceToLink(row.TraceIdLow, row.LinkedSpanCount > 0 ? spans.GetRange(0, row.LinkedSpanCount) : null, spans));
                }
                else
                {
                    // As a batch does when retention took a linked span: what is left cannot be re-linked by the difference.
                    LogEarlierSpansGone(_logger, unchecked((ulong)row.TraceIdLow));
                }
                rows.Add(new TraceRow
                {
                    TraceIdLow = row.TraceIdLow,
                    Spans = row.Spans,
                    SpanCount = row.SpanCount,
                    LinkedSpanCount = row.SpanCount,
                    Pending = false,
                    LastArrivalUnixMs = row.LastArrivalUnixMs,
                    LinkedAtUnixMs = _run.NowUnixMs,
                });
            }
            await CommitLinkedAsync(linkedNow, rows, mark, mark.Value, committed, cancellationToken);
            linked += linkedNow.Count;
        }
    }

    /// <summary>Links a sweep's traces and commits their statistics and rows with the mark moved from <paramref name="mark"/> to <paramref name="to"/>.</summary>
    private async Task CommitLinkedAsync(List<TraceToLink> linkedNow, List<TraceRow> rows, SpanPosition? mark, SpanPosition to,
        Action<ServiceGraphChange> committed, CancellationToken cancellationToken)
    {
        var change = BatchLinker.Link(linkedNow, this, parallel: false);
        _anyTraceLinks |= change.TraceLinks.Count > 0;
        var prepared = new PreparedBatch(await _statistics.ApplyAsync(change.Statistics, cancellationToken), rows, change.TraceLinks, linkedNow.Count, change.Calls);
        Committing(prepared);
        await CommitAsync(prepared, mark, to, cancellationToken);
        if (prepared.Linked > 0)
        {
            committed(prepared.Calls);
        }
    }

    /// <summary>
    /// True when (<paramref name="mark"/>, <paramref name="end"/>] holds more than
    /// <see cref="BehindBatches"/> batches, estimated from the ids: SQLite's are consecutive, and
    /// PostgreSQL's come from one sequence shared by every instance.
    /// </summary>
    private bool IsBehind(SpanPosition mark, SpanPosition end) => end.Id - mark.Id > BehindBatches * (long)_run.BatchSize;

    /// <summary>A batch linked and ready to commit.</summary>
    private sealed record PreparedBatch(StatisticsRowWriter Statistics, List<TraceRow> Traces, List<(long Target, long Source)> TraceLinks, int Linked, ServiceGraphChange Calls);

    /// <summary>
    /// Links the batch's traces that are not <paramref name="waiting"/> for more spans and are
    /// complete or past their grace, and queues every row the batch changes.
    /// </summary>
    private async Task<PreparedBatch> PrepareAsync(List<StoredSpan> batch, Func<long, bool> waiting, CancellationToken cancellationToken)
    {
        var rows = new List<TraceRow>();
        var linkedNow = new List<TraceToLink>();
        var buffer = new ArrayBufferWriter<byte>();
        var linked = 0;
        var graceAt = _run.SettledAtUnixMs ?? long.MaxValue;
        // A trace waiting in memory brings its row along: only the others are looked up.
        var groups = GroupByTrace(batch);
        var stored = _store.FindTraces(groups.Select(g => g.TraceIdLow)
            .Where(id => !_committing.ContainsKey(id) && !(_memory?.Contains(id) ?? false) && MayBeStored(id)).ToList());
        var traces = new List<(long TraceIdLow, TraceRow? Row, List<StoredSpan> Spans)>(groups.Count);
        foreach (var (traceIdLow, group) in groups)
        {
            if (_memory?.Take(traceIdLow) is { } held)
            {
                _repeats.Remove(held.Spans, static s => s.Span, group, static s => s.Span);
                held.Spans.AddRange(group);
                traces.Add((traceIdLow, held.Row, held.Spans));
                continue;
            }
            var row = RowOf(traceIdLow, stored);
            // Spans taken in again after a restart (the mark was held back before traces waiting in
            // memory) that the trace's row already references were linked or wait in the row.
            var spans = _memory is not null && row is not null && stored.ContainsKey(traceIdLow) ? NotReferenced(row, group) : group;
            if (waiting(traceIdLow))
            {
                // Waiting, it keeps one copy of each; a trace linked now drops its repeats, the row's
                // spans' too, once they are read back.
                _repeats.Remove(Array.Empty<StoredSpan>(), static s => s.Span, spans, static s => s.Span);
            }
            if (spans.Count > 0)
            {
                traces.Add((traceIdLow, row, spans));
            }
        }
        var relinked = new List<(TraceRow Row, int Extra)>();
        foreach (var (traceIdLow, row, spans) in traces)
        {
            if (!waiting(traceIdLow) && row is not null)
            {
                relinked.Add((row, spans.Count));
            }
        }
        var earlierSpans = ReadEarlierSpans(relinked);
        foreach (var (traceIdLow, storedRow, newSpans) in traces)
        {
            var row = storedRow;
            var lastArrival = Math.Max(row?.LastArrivalUnixMs ?? long.MinValue, newSpans[^1].ReceivedAtUnixMs);
            if (waiting(traceIdLow))
            {
                Pend(traceIdLow, row, newSpans, lastArrival, rows, buffer);
                continue;
            }

            List<Span> spans;
            long lastReference = 0;
            if (row is null)
            {
                spans = new List<Span>(newSpans.Count);
            }
            else if (earlierSpans.TryGetValue(traceIdLow, out var earlierOfRow))
            {
                (spans, lastReference) = earlierOfRow;
            }
            else
            {
                LogEarlierSpansGone(_logger, unchecked((ulong)traceIdLow));
                row = null;
                spans = new List<Span>(newSpans.Count);
            }
            if (_repeats.Remove(spans, static s => s, newSpans, static s => s.Span) > 0 && newSpans.Count == 0
                && row is { Pending: false } && row.LinkedSpanCount == row.SpanCount)
            {
                // Only spans the trace already has, sent again, and all of them linked: its link and
                // row stay as they are. A row still holding unlinked spans (one an upgrade handed back
                // to the span table, one waiting in its row) is linked with them as it is.
                continue;
            }
            if (lastArrival > graceAt)
            {
                foreach (var span in newSpans)
                {
                    spans.Add(span.Span);
                }
                if (!TraceCompleteness.IsComplete(spans))
                {
                    // Incomplete and within its grace: its missing spans are likely still on their way.
                    Pend(traceIdLow, storedRow, newSpans, lastArrival, rows, buffer);
                    continue;
                }
                spans.RemoveRange(spans.Count - newSpans.Count, newSpans.Count);
            }
            var (trace, linkedRow) = Linked(traceIdLow, row, spans, lastReference, newSpans, lastArrival, buffer);
            linkedNow.Add(trace);
            rows.Add(linkedRow);
            linked++;
        }
        // On one core, a flush too: linking on both (BatchLinker's parallel mode) made the 10 M rebuild
        // 54.5 s against 59.1 s on a quiet machine but took its peak from 917 to 1,062 MiB, past the
        // server's 1 GiB bound (docs/benchmarks.md, "Rebuild throughput").
        var change = BatchLinker.Link(linkedNow, this, parallel: false);
        _anyTraceLinks |= change.TraceLinks.Count > 0;
        return new PreparedBatch(await _statistics.ApplyAsync(change.Statistics, cancellationToken), rows, change.TraceLinks, linked, change.Calls);
    }

    /// <summary>
    /// A trace linked with <paramref name="newSpans"/> after <paramref name="spans"/>, its earlier
    /// spans (those of <paramref name="row"/>, whose last reference is <paramref name="lastReference"/>):
    /// what to link, and its row, the new spans appended as references.
    /// </summary>
    private (TraceToLink Trace, TraceRow Row) Linked(long traceIdLow, TraceRow? row, List<Span> spans, long lastReference,
        List<StoredSpan> newSpans, long lastArrival, ArrayBufferWriter<byte> buffer)
    {
        buffer.ResetWrittenCount();
        var earlier = row is { LinkedSpanCount: > 0 } ? spans.GetRange(0, row.LinkedSpanCount) : null;
        buffer.Write(row?.Spans ?? []);
        foreach (var span in newSpans)
        {
            spans.Add(span.Span);
            TraceSpans.AppendReference(buffer, span.RowId, ref lastReference);
        }
        return (new TraceToLink(traceIdLow, earlier, spans), new TraceRow
        {
            TraceIdLow = traceIdLow,
            Spans = buffer.WrittenSpan.ToArray(),
            SpanCount = spans.Count,
            LinkedSpanCount = spans.Count,
            Pending = false,
            LastArrivalUnixMs = lastArrival,
            LinkedAtUnixMs = _run.NowUnixMs,
        });
    }

    /// <summary>
    /// A trace that waits for more spans: in memory when there is room and its row is not itself
    /// waiting (the sweep of waiting rows could link it meanwhile), else in its row, its new spans
    /// appended as copies (as references with traces in memory, so that spans taken in again after
    /// a restart are known by their row ids). A span sent again while its trace waits in its row is
    /// appended too (telling would take reading the row's spans back at every batch): linking merges
    /// it, and such a row waits only while memory is full, or on PostgreSQL.
    /// </summary>
    private void Pend(long traceIdLow, TraceRow? row, List<StoredSpan> spans, long lastArrival, List<TraceRow> rows, ArrayBufferWriter<byte> buffer)
    {
        if (_memory is not null && row is not { Pending: true } && _memory.Fits(spans.Count))
        {
            _memory.Add(new PendingTrace(traceIdLow, row, spans, lastArrival));
            return;
        }
        buffer.ResetWrittenCount();
        buffer.Write(row?.Spans ?? []);
        long lastReference = 0;
        if (_memory is not null && row is not null)
        {
            lastReference = TraceSpans.Read(row.Spans, traceIdLow, []);
        }
        foreach (var span in spans)
        {
            if (_memory is not null)
            {
                TraceSpans.AppendReference(buffer, span.RowId, ref lastReference);
            }
            else
            {
                TraceSpans.AppendCopy(buffer, unchecked((long)span.Span.TraceId.High), SpanCodec.Encode(span.Span));
            }
        }
        rows.Add(new TraceRow
        {
            TraceIdLow = traceIdLow,
            Spans = buffer.WrittenSpan.ToArray(),
            SpanCount = (row?.SpanCount ?? 0) + spans.Count,
            LinkedSpanCount = row?.LinkedSpanCount ?? 0,
            Pending = true,
            LastArrivalUnixMs = lastArrival,
            LinkedAtUnixMs = row?.LinkedAtUnixMs,
        });
    }

    /// <summary>The spans of <paramref name="group"/> that <paramref name="row"/> does not reference.</summary>
    private static List<StoredSpan> NotReferenced(TraceRow row, List<StoredSpan> group)
    {
        var entries = new List<TraceSpanEntry>(row.SpanCount);
        TraceSpans.Read(row.Spans, row.TraceIdLow, entries);
        var referenced = entries.Where(e => e.Span is null).Select(e => e.SpanRowId).ToHashSet();
        return referenced.Count == 0 ? group : group.Where(span => !referenced.Contains(span.RowId)).ToList();
    }

    /// <summary>A trace's row: the batch still committing has the newest, else the store's (<paramref name="stored"/>, read for the batch).</summary>
    private TraceRow? RowOf(long traceIdLow, Dictionary<long, TraceRow> stored) =>
        _committing.GetValueOrDefault(traceIdLow) ?? stored.GetValueOrDefault(traceIdLow);

    /// <summary>
    /// Makes <paramref name="batch"/> the one committing: the next batch finds its rows and links
    /// here, and the stored traces' filter holds its rows from now on (before they commit: a "maybe"
    /// that is not there costs a lookup, a "no" that is would lose the trace's earlier spans).
    /// </summary>
    private void Committing(PreparedBatch batch)
    {
        _committing = batch.Traces.ToDictionary(t => t.TraceIdLow);
        _committingLinks = batch.TraceLinks;
        if (_memory?.StoredIds is { } storedIds)
        {
            foreach (var row in batch.Traces)
            {
                storedIds.Add(row.TraceIdLow);
            }
        }
    }

    /// <summary>False when the trace certainly has no row, so looking it up would find nothing.</summary>
    private bool MayBeStored(long traceIdLow) => _memory?.StoredIds?.MayContain(traceIdLow) ?? true;

    /// <summary>Writes a prepared batch, once its packs are written, and moves the mark from <paramref name="mark"/> to <paramref name="last"/>, in one transaction.</summary>
    private async Task CommitAsync(PreparedBatch batch, SpanPosition? mark, SpanPosition last, CancellationToken cancellationToken)
    {
        await batch.Statistics.Packing;
        await _store.CommitAsync(new BatchRows(batch.Statistics, batch.Traces, batch.TraceLinks), mark, last,
            () => _faults?.BeforeCommit?.Invoke(Interlocked.Increment(ref _batches)), cancellationToken);
    }

    /// <summary>
    /// The spans each of <paramref name="rows"/> holds, by trace, with room for its
    /// <c>Extra</c> spans to come: copies decoded, references read back from the span table in one
    /// read for all the rows (a read per span was a round trip each on PostgreSQL), and the row's
    /// last reference. A trace whose referenced span retention deleted is left out.
    /// </summary>
    private Dictionary<long, (List<Span> Spans, long LastReference)> ReadEarlierSpans(IEnumerable<(TraceRow Row, int Extra)> rows)
    {
        var read = new List<(TraceRow Row, int Extra, List<TraceSpanEntry> Entries, long LastReference)>();
        var references = new List<long>();
        foreach (var (row, extra) in rows)
        {
            var entries = new List<TraceSpanEntry>(row.SpanCount);
            var lastReference = TraceSpans.Read(row.Spans, row.TraceIdLow, entries);
            foreach (var entry in entries)
            {
                if (entry.Span is null)
                {
                    references.Add(entry.SpanRowId);
                }
            }
            read.Add((row, extra, entries, lastReference));
        }
        var referenced = references.Count > 0 ? _store.ReadSpans(references) : [];
        var earlier = new Dictionary<long, (List<Span>, long)>(read.Count);
        foreach (var (row, extra, entries, lastReference) in read)
        {
            var spans = new List<Span>(entries.Count + extra);
            foreach (var entry in entries)
            {
                if ((entry.Span ?? referenced.GetValueOrDefault(entry.SpanRowId)) is not { } span)
                {
                    break;
                }
                spans.Add(span);
            }
            if (spans.Count == entries.Count)
            {
                earlier[row.TraceIdLow] = (spans, lastReference);
            }
        }
        return earlier;
    }

    /// <summary>The batch's spans per trace, each trace's in id order, traces in order of their first span.</summary>
    private static List<(long TraceIdLow, List<StoredSpan> Spans)> GroupByTrace(List<StoredSpan> batch)
    {
        var index = new Dictionary<long, List<StoredSpan>>();
        var groups = new List<(long, List<StoredSpan>)>();
        // Spans of one trace often arrive together (an exporter's batch): the previous span's group
        // takes the next one without a lookup.
        var (previous, group) = (0L, (List<StoredSpan>?)null);
        foreach (var span in batch)
        {
            var low = unchecked((long)span.Span.TraceId.Low);
            if (group is null || low != previous)
            {
                ref var found = ref CollectionsMarshal.GetValueRefOrAddDefault(index, low, out var exists);
                if (!exists)
                {
                    found = [];
                    groups.Add((low, found));
                }
                (previous, group) = (low, found!);
            }
            group.Add(span);
        }
        return groups;
    }

    /// <summary>The traces linking to <paramref name="targets"/>: stored, or in the batch still committing.</summary>
    public List<(long Target, long Source)> SourcesOf(List<long> targets)
    {
        var wanted = targets.ToHashSet();
        var found = _store.SourcesOf(targets);
        found.AddRange(_committingLinks.Where(p => wanted.Contains(p.Target)));
        return found;
    }

    /// <summary>The linked spans, as its last link saw them, of each of <paramref name="ids"/> that has been linked, in the order of <paramref name="ids"/>.</summary>
    public Dictionary<long, List<Span>> LinkedSpansOf(List<long> ids)
    {
        var linkedSpans = new Dictionary<long, List<Span>>();
        var stored = _store.FindTraces(ids.Where(id => !_committing.ContainsKey(id) && MayBeStored(id)).ToList());
        var linkedRows = ids
            .Select(id => RowOf(id, stored))
            .OfType<TraceRow>()
            .Where(row => row.LinkedSpanCount > 0)
            .ToList();
        var earlier = ReadEarlierSpans(linkedRows.Select(row => (row, 0)));
        foreach (var row in linkedRows)
        {
            if (!earlier.TryGetValue(row.TraceIdLow, out var spans))
            {
                LogRelatedSpansGone(_logger, unchecked((ulong)row.TraceIdLow));
                continue;
            }
            linkedSpans[row.TraceIdLow] = spans.Spans.GetRange(0, row.LinkedSpanCount);
        }
        return linkedSpans;
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Trace {TraceIdLow:x16} is linked across traces to a trace linked now, but retention deleted its spans; its messaging pairs are not updated")]
    private static partial void LogRelatedSpansGone(ILogger logger, ulong traceIdLow);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Trace {TraceIdLow:x16} received a late span after retention deleted its earlier spans; the late spans are linked on their own")]
    private static partial void LogEarlierSpansGone(ILogger logger, ulong traceIdLow);
}
