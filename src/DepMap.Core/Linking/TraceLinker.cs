using DepMap.Core.Spans;

namespace DepMap.Core.Linking;

/// <summary>
/// Turns the spans of a trace into calls between services. The trace tree is built once with
/// Zipkin's rules and walked once; <see cref="LinkerOptions.View"/> picks Zipkin's exact links or
/// DepMap's richer graph from that same walk.
/// </summary>
public static class TraceLinker
{
    /// <summary>Links the spans of ONE trace (grouped by <see cref="TraceId.Low"/>), in any order, duplicates allowed.</summary>
    public static LinkedTrace Link(IReadOnlyList<Span> spans, LinkerOptions options) => Link(spans, options, CrossTraceLinks.None);

    /// <summary>
    /// Links the spans of ONE trace, pairing its messaging spans with those of other traces that
    /// <paramref name="crossTrace"/> holds (the DepMap view; the Zipkin view ignores it).
    /// </summary>
    public static LinkedTrace Link(IReadOnlyList<Span> spans, LinkerOptions options, CrossTraceLinks crossTrace)
    {
        ArgumentNullException.ThrowIfNull(spans);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(crossTrace);
        return LinkWalk.Link(spans, LinkPolicy.For(options), crossTrace);
    }

    /// <summary>
    /// Links the spans of ONE trace in both views, as <see cref="Link(IReadOnlyList{Span}, LinkerOptions)"/> does with
    /// <see cref="LinkerOptions.DepMap"/> and with <see cref="LinkerOptions.Zipkin"/>, building the
    /// trace tree once for both.
    /// </summary>
    public static (LinkedTrace DepMap, LinkedTrace Zipkin) LinkBothViews(IReadOnlyList<Span> spans) => LinkBothViews(spans, CrossTraceLinks.None);

    /// <summary><see cref="LinkBothViews(IReadOnlyList{Span})"/>, the DepMap view pairing messaging spans across traces by <paramref name="crossTrace"/>.</summary>
    public static (LinkedTrace DepMap, LinkedTrace Zipkin) LinkBothViews(IReadOnlyList<Span> spans, CrossTraceLinks crossTrace)
    {
        ArgumentNullException.ThrowIfNull(spans);
        ArgumentNullException.ThrowIfNull(crossTrace);
        return LinkWalk.LinkBoth(spans, crossTrace);
    }

    /// <summary>
    /// Groups any spans by <see cref="TraceId.Low"/>, as Zipkin's storage does so that 64- and
    /// 128-bit ids of one trace meet, and links each trace in order of first appearance; in the
    /// DepMap view a consumer linked to a producer in another of these traces is paired with it.
    /// </summary>
    public static IEnumerable<LinkedTrace> LinkAll(IEnumerable<Span> spans, LinkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(spans);
        ArgumentNullException.ThrowIfNull(options);
        var policy = LinkPolicy.For(options);
        var traces = new Dictionary<ulong, List<Span>>();
        var order = new List<List<Span>>();
        foreach (var span in spans)
        {
            if (!traces.TryGetValue(span.TraceId.Low, out var trace))
            {
                trace = [];
                traces.Add(span.TraceId.Low, trace);
                order.Add(trace);
            }
            trace.Add(span);
        }
        var cross = policy.DirectMessaging ? CrossTraceLinks.Of(order) : CrossTraceLinks.None;
        return LinkEach(order, policy, cross);
    }

    private static IEnumerable<LinkedTrace> LinkEach(List<List<Span>> traces, LinkPolicy policy, CrossTraceLinks cross)
    {
        foreach (var trace in traces)
        {
            yield return LinkWalk.Link(trace, policy, cross);
        }
    }
}
