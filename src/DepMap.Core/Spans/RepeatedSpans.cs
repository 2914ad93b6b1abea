namespace DepMap.Core.Spans;

/// <summary>
/// Finds spans that arrive again: the same span, every field equal, as an exporter's retry sends it
/// after a timeout that hid a commit, or as a client replaying a batch does. Linking already merges
/// them (Zipkin's <c>Trace.merge</c>), so a repeat changes no statistic; but a trace that keeps them
/// grows with every one, and each late span re-links it whole: one body sent a thousand times made
/// two thousand traces of a thousand copies each, and the aggregation read 2.3 million spans back
/// to link them (1.2 GiB resident, issue 12). Dropping a repeat where it meets its trace keeps each
/// trace's spans distinct and the work of a re-link that of its distinct spans (a trace waiting in
/// its row rather than in memory keeps what it is sent meanwhile: AggregationRunner's Pend).
/// <para>
/// Cheap where nothing repeats: the new spans' ids go into a set, the earlier spans are looked up in
/// it, and only an id seen twice compares whole spans (a Zipkin client and server sharing their id
/// differ in kind, so both are kept). One instance per thread: it reuses its set.
/// </para>
/// </summary>
public sealed class RepeatedSpans
{
    private readonly HashSet<ulong> _newIds = [];

    /// <summary>
    /// Removes from <paramref name="added"/>, in place, each span equal to one of
    /// <paramref name="earlier"/> or to one before it in <paramref name="added"/>; the first of
    /// equal spans stays. Returns how many were removed.
    /// </summary>
    public int Remove<TEarlier, TAdded>(IReadOnlyList<TEarlier> earlier, Func<TEarlier, Span> spanOfEarlier, List<TAdded> added, Func<TAdded, Span> spanOfAdded)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        ArgumentNullException.ThrowIfNull(spanOfEarlier);
        ArgumentNullException.ThrowIfNull(added);
        ArgumentNullException.ThrowIfNull(spanOfAdded);
        if (added.Count == 0 || (added.Count == 1 && earlier.Count == 0))
        {
            return 0;
        }
        if (added.Count + earlier.Count <= PairwiseUpTo && !SharesAnIdPairwise(earlier, spanOfEarlier, added, spanOfAdded))
        {
            return 0;
        }
        _newIds.Clear();
        var shared = false;
        foreach (var span in added)
        {
            shared |= !_newIds.Add(spanOfAdded(span).SpanId);
        }
        for (var i = 0; i < earlier.Count && !shared; i++)
        {
            shared = _newIds.Contains(spanOfEarlier(earlier[i]).SpanId);
        }
        if (!shared)
        {
            return 0;
        }

        // An id is shared: compare whole spans among those with a shared id only.
        var seen = new Dictionary<ulong, List<Span>>();
        foreach (var item in earlier)
        {
            var span = spanOfEarlier(item);
            if (_newIds.Contains(span.SpanId))
            {
                Seen(seen, span);
            }
        }
        return added.RemoveAll(item =>
        {
            var span = spanOfAdded(item);
            if (seen.TryGetValue(span.SpanId, out var same) && same.Exists(other => AreSame(other, span)))
            {
                return true;
            }
            Seen(seen, span);
            return false;
        });
    }

    // Below this many spans the ids are compared pairwise on the stack: a trace has a handful of
    // spans, and filling a set for each of a rebuild's million traces cost a hundredth of its CPU.
    private const int PairwiseUpTo = 32;

    /// <summary>True when a span id of <paramref name="added"/> repeats within it or is one of <paramref name="earlier"/>'s, compared pairwise.</summary>
    private static bool SharesAnIdPairwise<TEarlier, TAdded>(IReadOnlyList<TEarlier> earlier, Func<TEarlier, Span> spanOfEarlier, List<TAdded> added, Func<TAdded, Span> spanOfAdded)
    {
        Span<ulong> ids = stackalloc ulong[added.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = spanOfAdded(added[i]).SpanId;
            if (ids[..i].Contains(ids[i]))
            {
                return true;
            }
        }
        for (var i = 0; i < earlier.Count; i++)
        {
            if (ids.Contains(spanOfEarlier(earlier[i]).SpanId))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> are the same span: every field equal, their links too.</summary>
    public static bool AreSame(Span a, Span b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        // The record's own equality compares the links by reference; compare them by value instead.
        return a.SpanId == b.SpanId && a.Kind == b.Kind && a.StartUnixNano == b.StartUnixNano && a.DurationNano == b.DurationNano
            && a.Links.SequenceEqual(b.Links) && (a with { Links = b.Links }).Equals(b);
    }

    private static void Seen(Dictionary<ulong, List<Span>> seen, Span span)
    {
        if (!seen.TryGetValue(span.SpanId, out var spans))
        {
            seen.Add(span.SpanId, spans = []);
        }
        spans.Add(span);
    }
}
