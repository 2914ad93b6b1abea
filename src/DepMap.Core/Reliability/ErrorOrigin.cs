using DepMap.Core.Spans;

namespace DepMap.Core.Reliability;

/// <summary>
/// Where a failure comes from. A failed span whose failure is not explained by a failed span below
/// it originates the error; one with a failed span below passes it on. The search looks through
/// spans of the same service that did not fail themselves (a handler's INTERNAL span, a client span
/// that reported no error although its server did) because instrumentation often leaves those
/// unmarked, and it stops at a request boundary: what happens beyond is another request's story.
/// </summary>
internal static class ErrorOrigin
{
    /// <summary>The nearest failed spans below <paramref name="failed"/> that explain its failure.</summary>
    public static void FindExplainers(SpanTreeNode failed, List<SpanTreeNode> explainers)
    {
        explainers.Clear();
        var pending = new Stack<SpanTreeNode>(failed.Children);
        while (pending.TryPop(out var child))
        {
            if (child.Span.Error)
            {
                explainers.Add(child);
            }
            else if (!child.IsServerSide && child.Span.LocalService == failed.Span.LocalService)
            {
                foreach (var grandChild in child.Children)
                {
                    pending.Push(grandChild);
                }
            }
        }
    }

    /// <summary>
    /// True when the failed <paramref name="request"/>'s failure bottoms out in its own service's
    /// spans without crossing into another request (another service, or a loopback call to itself);
    /// false when every failure chain leads into a request it made.
    /// </summary>
    public static bool Originated(SpanTreeNode request)
    {
        var service = request.Span.LocalService;
        var explainers = new List<SpanTreeNode>();
        var pending = new Stack<SpanTreeNode>();
        pending.Push(request);
        while (pending.TryPop(out var node))
        {
            if (node != request && (node.IsServerSide || node.Span.LocalService != service))
            {
                continue;
            }
            FindExplainers(node, explainers);
            if (explainers.Count == 0)
            {
                return true;
            }
            foreach (var explainer in explainers)
            {
                pending.Push(explainer);
            }
        }
        return false;
    }

    /// <summary>
    /// A request is a span that serves a caller or a message, or a root: a batch job or a trace
    /// whose entry hop was not reported still did work on its service's behalf.
    /// </summary>
    public static bool IsRequest(SpanTreeNode node) =>
        node.Parent is null || node.Span.Kind is SpanKind.Server or SpanKind.Consumer;
}
