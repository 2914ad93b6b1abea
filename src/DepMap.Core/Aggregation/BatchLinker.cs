using DepMap.Core.Linking;
using DepMap.Core.Spans;

namespace DepMap.Core.Aggregation;

/// <summary>A trace a batch links: what its last link saw (null: never linked) and all its spans now.</summary>
public sealed record TraceToLink(long TraceIdLow, List<Span>? Earlier, List<Span> Spans);

/// <summary>
/// What the linking of one batch changes: the statistics, Tempo's service-graph series, and the
/// (target, source) pairs of the cross-trace index that the batch's consumers add.
/// </summary>
public sealed record BatchChange(StatisticsDelta Statistics, ServiceGraphChange Calls, List<(long Target, long Source)> TraceLinks);

/// <summary>
/// What the linking of a batch must ask the store about traces outside the batch: a consumer's
/// trace and its producer's trace can arrive in different batches, runs or days.
/// </summary>
public interface IRelatedTraces
{
    /// <summary>False while no trace has ever been linked across traces: a batch need not look the index up.</summary>
    bool AnyTraceLinks { get; }

    /// <summary>The (target, source) pairs already recorded (stored or committing) whose target is one of <paramref name="targets"/>.</summary>
    List<(long Target, long Source)> SourcesOf(List<long> targets);

    /// <summary>
    /// The linked spans, as its last link saw them, of each of <paramref name="ids"/> that has been
    /// linked; a trace never linked, or whose spans retention took, is left out.
    /// </summary>
    Dictionary<long, List<Span>> LinkedSpansOf(List<long> ids);
}

/// <summary>
/// Links a batch of traces into a statistics change, with messaging across traces. A consumer
/// usually starts its own trace and links to its producer's span, so what a trace contributes
/// depends on other traces: a consumer trace draws producer → consumer once the producer's trace
/// is linked (else broker → consumer), and a producer trace loses its producer → broker call once
/// a consumer's trace links to it.
/// <para>
/// Exactly once, whatever the order: the invariant after every commit is that each linked trace's
/// contribution to the statistics is its link, with <see cref="CrossTraceLinks"/> built from the
/// linked spans of the traces it is related to, as they are now. A batch changes the linked spans of
/// its own traces only, so the only contributions that go stale are those of the traces related to
/// them: the producer traces their consumers link to (read from the spans) and the consumer traces
/// that link to them (read from the store's cross-trace index, written with every linked trace in
/// the same transaction, before or after its target was seen). Each of these is linked twice, as it
/// was (earlier spans, earlier knowledge) and subtracted, then as it is now and added: the same
/// re-link and difference as a late span's. So the statistics end equal to a run that saw every
/// trace at once, whichever trace came first. A related trace's relations go one level further (its
/// other producers and consumers) because its knowledge needs their spans, but only its own
/// contribution changes: its spans did not.
/// </para>
/// </summary>
public static class BatchLinker
{
    /// <summary>
    /// The change of linking <paramref name="traces"/> (and of re-linking the traces related to them across traces).
    /// With <paramref name="parallel"/>, the traces' links are computed on every core and applied in
    /// order, so the change is the same as one core's: for a flush, which has the machine to itself.
    /// </summary>
    public static BatchChange Link(List<TraceToLink> traces, IRelatedTraces related, bool parallel = false)
    {
        ArgumentNullException.ThrowIfNull(traces);
        ArgumentNullException.ThrowIfNull(related);
        var delta = new StatisticsDelta();
        var calls = new ServiceGraphChange();
        var pairs = new HashSet<(long Target, long Source)>();
        foreach (var trace in traces)
        {
            AddTargets(trace.TraceIdLow, trace.Spans, pairs);
        }
        var sources = related.AnyTraceLinks || pairs.Count > 0 ? SourcesOf(related, traces.Select(t => t.TraceIdLow).ToList(), pairs) : [];
        if (pairs.Count == 0 && sources.Count == 0)
        {
            // No trace of the batch takes part in a link across traces: the common case costs nothing more.
            if (parallel && traces.Count >= ParallelFrom)
            {
                var links = LinkEach(traces);
                for (var i = 0; i < traces.Count; i++)
                {
                    if (links[i].Earlier is { } earlierLink)
                    {
                        Remove(earlierLink, delta, calls);
                    }
                    Add(links[i].Now, delta, calls);
                }
                return new BatchChange(delta, calls, []);
            }
            foreach (var trace in traces)
            {
                if (trace.Earlier is { } earlier)
                {
                    Remove(TraceLink.Of(earlier), delta, calls);
                }
                Add(TraceLink.Of(trace.Spans), delta, calls);
            }
            return new BatchChange(delta, calls, []);
        }

        var known = new Dictionary<long, (List<Span>? Earlier, List<Span>? Now)>();
        foreach (var trace in traces)
        {
            known[trace.TraceIdLow] = (trace.Earlier, trace.Spans);
        }
        var affected = new List<long>(known.Keys);
        var others = pairs.Select(p => p.Target).Concat(sources.Select(p => p.Source)).Where(id => !known.ContainsKey(id)).Distinct().ToList();
        Load(related, others, known);
        affected.AddRange(others.Where(known.ContainsKey));

        // The knowledge of a related trace takes in its own relations, which the batch did not change.
        var neighbours = new HashSet<(long Target, long Source)>();
        var relatedOthers = others.Where(known.ContainsKey).ToList();
        foreach (var id in relatedOthers)
        {
            AddTargets(id, known[id].Now!, neighbours);
        }
        var further = neighbours.Select(p => p.Target)
            .Concat(SourcesOf(related, relatedOthers, pairs).Select(p => p.Source))
            .Where(id => !known.ContainsKey(id)).Distinct().ToList();
        Load(related, further, known);

        var before = CrossTraceLinks.Of(known.Values.Where(k => k.Earlier is not null).Select(k => (IReadOnlyList<Span>)k.Earlier!));
        var after = CrossTraceLinks.Of(known.Values.Where(k => k.Now is not null).Select(k => (IReadOnlyList<Span>)k.Now!));
        foreach (var id in affected)
        {
            var (earlier, now) = known[id];
            if (earlier is not null)
            {
                Remove(TraceLink.Of(earlier, before), delta, calls);
            }
            if (now is not null)
            {
                Add(TraceLink.Of(now, after), delta, calls);
            }
        }
        return new BatchChange(delta, calls, [.. pairs]);
    }

    // Below this many traces a batch is linked on one core: handing out the work would cost more.
    private const int ParallelFrom = 256;

    /// <summary>
    /// Each trace's links (its earlier spans' and its spans'), computed on every core in chunks: a
    /// trace's link depends on its own spans alone (the linker's scratch is per thread), and the
    /// caller applies them in the traces' order.
    /// </summary>
    private static (TraceLink? Earlier, TraceLink Now)[] LinkEach(List<TraceToLink> traces)
    {
        var links = new (TraceLink? Earlier, TraceLink Now)[traces.Count];
        var chunk = Math.Max(64, traces.Count / (Environment.ProcessorCount * 4));
        Parallel.For(0, (traces.Count + chunk - 1) / chunk, part =>
        {
            for (var i = part * chunk; i < Math.Min(traces.Count, (part + 1) * chunk); i++)
            {
                var trace = traces[i];
                links[i] = (trace.Earlier is { } earlier ? TraceLink.Of(earlier) : null, TraceLink.Of(trace.Spans));
            }
        });
        return links;
    }

    private static void Add(TraceLink link, StatisticsDelta delta, ServiceGraphChange calls)
    {
        delta.Add(link);
        calls.Add(link.DepMap);
    }

    private static void Remove(TraceLink link, StatisticsDelta delta, ServiceGraphChange calls)
    {
        delta.Remove(link);
        calls.Remove(link.DepMap);
    }

    /// <summary>
    /// The (target, source) pairs of <paramref name="source"/>'s consumers that link to spans of other
    /// traces: only a consumer of a named service that links to a real span of another trace pairs.
    /// </summary>
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

    /// <summary>The traces linking to <paramref name="targets"/>: recorded in the store, or added by this batch.</summary>
    private static List<(long Target, long Source)> SourcesOf(IRelatedTraces related, List<long> targets, HashSet<(long Target, long Source)> batchPairs)
    {
        var wanted = targets.ToHashSet();
        var found = related.SourcesOf(targets);
        found.AddRange(batchPairs.Where(p => wanted.Contains(p.Target)));
        return found;
    }

    private static void Load(IRelatedTraces related, List<long> ids, Dictionary<long, (List<Span>? Earlier, List<Span>? Now)> known)
    {
        if (ids.Count == 0)
        {
            return;
        }
        foreach (var (id, linked) in related.LinkedSpansOf(ids))
        {
            known[id] = (linked, linked);
        }
    }
}
