using DepMap.Core.Spans;

namespace DepMap.Core.Linking;

/// <summary>
/// Whether a trace's spans are all in, so it can be linked now instead of after a grace time.
/// Complete: it has a root (a span without parent), every span's parent is among its spans, and
/// every CLIENT span is answered by a SERVER or CONSUMER child (or, in Zipkin, by a server sharing
/// its span id). Two kinds of call are never answered and so never waited for: a client to a
/// database (the linker's own <see cref="PeerNames.IsDatabase"/>, which makes its peer a database
/// node), and a PRODUCER, whose consumers usually start traces of their own and link back.
/// A trace judged complete that still gets a span (a late export) is re-linked by the exact
/// difference, so the rule only has to be right usually, not always.
/// </summary>
public static class TraceCompleteness
{
    [ThreadStatic]
    private static HashSet<ulong>? t_spanIds;

    [ThreadStatic]
    private static HashSet<ulong>? t_answered;

    /// <summary>True when <paramref name="spans"/> (one trace's, in any order) look complete.</summary>
    public static bool IsComplete(IReadOnlyList<Span> spans)
    {
        ArgumentNullException.ThrowIfNull(spans);
        var spanIds = t_spanIds ??= [];
        var answered = t_answered ??= [];
        spanIds.Clear();
        answered.Clear();
        try
        {
            var root = false;
            for (var i = 0; i < spans.Count; i++)
            {
                var span = spans[i];
                spanIds.Add(span.SpanId);
                root |= span.ParentId == 0;
                if (span.Kind is SpanKind.Server or SpanKind.Consumer)
                {
                    // A shared server reuses its client's id (its parent is the client's parent).
                    answered.Add(span.Shared ? span.SpanId : span.ParentId);
                }
            }
            if (!root)
            {
                return false;
            }
            for (var i = 0; i < spans.Count; i++)
            {
                var span = spans[i];
                if (span.ParentId != 0 && !spanIds.Contains(span.ParentId))
                {
                    return false;
                }
                if (span.Kind == SpanKind.Client && !answered.Contains(span.SpanId) && !PeerNames.IsDatabase(span))
                {
                    return false;
                }
            }
            return true;
        }
        finally
        {
            // Pooled per thread: a huge trace's sets are not kept.
            if (spanIds.Count > 4096)
            {
                t_spanIds = null;
                t_answered = null;
            }
        }
    }
}
