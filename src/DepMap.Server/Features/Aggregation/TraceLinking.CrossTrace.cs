using DepMap.Core.Linking;
using DepMap.Core.Spans;
using DepMap.Server.Features.Metrics;
using DepMap.Storage.Aggregation;

namespace DepMap.Server.Features.Aggregation;

/// <summary>
/// Messaging across traces. A consumer usually starts its own trace and links to its producer's
/// span, so what a trace contributes depends on other traces: a consumer trace draws producer →
/// consumer once the producer's trace is linked (else broker → consumer), and a producer trace
/// loses its producer → broker call once a consumer's trace links to it.
/// <para>
/// Exactly once, whatever the order: the invariant after every commit is that each linked trace's
/// contribution to the statistics is its link, with <see cref="CrossTraceLinks"/> built from the
/// linked spans of the traces it is related to, as they are now. A batch changes the linked spans of
/// its own traces only, so the only contributions that go stale are those of the traces related to
/// them: the producer traces their consumers link to (read from the spans) and the consumer traces
/// that link to them (read from the <see cref="TraceLinkRow"/> index, written with every linked
/// trace's row in the same transaction, before or after its target was seen). Each of these is
/// linked twice, as it was (earlier spans, earlier knowledge) and subtracted, then as it is now and
/// added: the same re-link and difference as a late span's. So the statistics end equal to a run
/// that saw every trace at once, whichever trace came first. A related trace's relations go one
/// level further (its other producers and consumers) because its knowledge needs their spans, but
/// only its own contribution changes: its spans did not.
/// </para>
/// </summary>
internal sealed partial class TraceLinking
{
    /// <summary>A trace linked by this batch: what its last link saw (null: never linked) and all its spans.</summary>
    private sealed record LinkedNow(long TraceIdLow, List<Span>? Earlier, List<Span> Spans);

    /// <summary>
    /// Adds the change of the batch's linked traces (and of the traces related to them across traces)
    /// to <paramref name="delta"/>; returns the index pairs the batch adds.
    /// </summary>
    private List<(long Target, long Source)> LinkTraces(List<LinkedNow> linkedNow, StatisticsDelta delta, ServiceGraphChange calls)
    {
        var pairs = new HashSet<(long Target, long Source)>();
        foreach (var trace in linkedNow)
        {
            AddTargets(trace.TraceIdLow, trace.Spans, pairs);
        }
        var sources = _anyTraceLinks || pairs.Count > 0 ? SourcesOf(linkedNow.Select(t => t.TraceIdLow).ToList(), pairs) : [];
        _anyTraceLinks |= pairs.Count > 0;
        if (pairs.Count == 0 && sources.Count == 0)
        {
            // No trace of the batch takes part in a link across traces: the common case costs nothing more.
            foreach (var trace in linkedNow)
            {
                if (trace.Earlier is { } earlier)
                {
                    var was = TraceLink.Of(earlier);
                    delta.Remove(was);
                    calls.Remove(was.DepMap);
                }
                var link = TraceLink.Of(trace.Spans);
                delta.Add(link);
                calls.Add(link.DepMap);
            }
            return [];
        }

        var known = new Dictionary<long, (List<Span>? Earlier, List<Span>? Now)>();
        foreach (var trace in linkedNow)
        {
            known[trace.TraceIdLow] = (trace.Earlier, trace.Spans);
        }
        var affected = new List<long>(known.Keys);
        var others = pairs.Select(p => p.Target).Concat(sources.Select(p => p.Source)).Where(id => !known.ContainsKey(id)).Distinct().ToList();
        Load(others, known);
        affected.AddRange(others.Where(known.ContainsKey));

        // The knowledge of a related trace takes in its own relations, which the batch did not change.
        var neighbours = new HashSet<(long Target, long Source)>();
        var relatedOthers = others.Where(known.ContainsKey).ToList();
        foreach (var id in relatedOthers)
        {
            AddTargets(id, known[id].Now!, neighbours);
        }
        var further = neighbours.Select(p => p.Target)
            .Concat(SourcesOf(relatedOthers, pairs).Select(p => p.Source))
            .Where(id => !known.ContainsKey(id)).Distinct().ToList();
        Load(further, known);

        var before = CrossTraceLinks.Of(known.Values.Where(k => k.Earlier is not null).Select(k => (IReadOnlyList<Span>)k.Earlier!));
        var after = CrossTraceLinks.Of(known.Values.Where(k => k.Now is not null).Select(k => (IReadOnlyList<Span>)k.Now!));
        foreach (var id in affected)
        {
            var (earlier, now) = known[id];
            if (earlier is not null)
            {
                var was = TraceLink.Of(earlier, before);
                delta.Remove(was);
                calls.Remove(was.DepMap);
            }
            if (now is not null)
            {
                var link = TraceLink.Of(now, after);
                delta.Add(link);
                calls.Add(link.DepMap);
            }
        }
        return [.. pairs];
    }

    /// <summary>The (target, source) pairs of <paramref name="source"/>'s consumers that link to spans of other traces.</summary>
    private static void AddTargets(long source, List<Span> spans, HashSet<(long Target, long Source)> pairs)
    {
        foreach (var span in spans)
        {
            if (span.Kind != SpanKind.Consumer || span.Links.Count == 0 || string.IsNullOrEmpty(span.LocalService))
            {
                continue;
            }
            foreach (var link in span.Links)
            {
                var target = unchecked((long)link.TraceId.Low);
                if (target != source && link.SpanId != 0)
                {
                    pairs.Add((target, source));
                }
            }
        }
    }

    /// <summary>The traces linking to <paramref name="targets"/>: stored, committing, or added by this batch.</summary>
    private List<(long Target, long Source)> SourcesOf(List<long> targets, HashSet<(long Target, long Source)> batchPairs)
    {
        var wanted = targets.ToHashSet();
        var found = _traceLinks.SourcesOf(targets);
        found.AddRange(_committingLinks.Where(p => wanted.Contains(p.Target)));
        found.AddRange(batchPairs.Where(p => wanted.Contains(p.Target)));
        return found;
    }

    /// <summary>
    /// The linked spans (as its last link saw them) of each of <paramref name="ids"/> that has been
    /// linked; traces never linked, or whose spans retention took, are not known.
    /// </summary>
    private void Load(List<long> ids, Dictionary<long, (List<Span>? Earlier, List<Span>? Now)> known)
    {
        if (ids.Count == 0)
        {
            return;
        }
        var stored = _traces.FindMany(ids.Where(id => !_committing.ContainsKey(id)).ToList());
        var entries = new List<TraceSpanEntry>();
        foreach (var id in ids)
        {
            var row = _committing.GetValueOrDefault(id) ?? stored.GetValueOrDefault(id);
            if (row is not { LinkedSpanCount: > 0 })
            {
                continue;
            }
            var spans = new List<Span>(row.SpanCount);
            if (!TryReadEarlierSpans(row, spans, entries, out _))
            {
                LogRelatedSpansGone(_logger, unchecked((ulong)id));
                continue;
            }
            var linked = spans.GetRange(0, row.LinkedSpanCount);
            known[id] = (linked, linked);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Trace {TraceIdLow:x16} is linked across traces to a trace linked now, but retention deleted its spans; its messaging pairs are not updated")]
    private static partial void LogRelatedSpansGone(ILogger logger, ulong traceIdLow);
}
