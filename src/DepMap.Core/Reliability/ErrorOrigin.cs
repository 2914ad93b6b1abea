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
    public static void FindExplainers(SpanTree tree, int failed, List<int> explainers, Stack<int> pending)
    {
        explainers.Clear();
        pending.Clear();
        var service = tree.Spans[failed].LocalService;
        foreach (var child in tree.Children(failed))
        {
            pending.Push(child);
        }
        while (pending.TryPop(out var child))
        {
            if (tree.Spans[child].Error)
            {
                explainers.Add(child);
            }
            else if (!tree.IsServerSide(child) && string.Equals(tree.Spans[child].LocalService, service, StringComparison.Ordinal))
            {
                foreach (var grandChild in tree.Children(child))
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
    public static bool Originated(SpanTree tree, int request, ErrorOriginScratch scratch)
    {
        var service = tree.Spans[request].LocalService;
        var pending = scratch.Pending;
        pending.Clear();
        pending.Push(request);
        while (pending.TryPop(out var node))
        {
            if (node != request && (tree.IsServerSide(node) || !string.Equals(tree.Spans[node].LocalService, service, StringComparison.Ordinal)))
            {
                continue;
            }
            FindExplainers(tree, node, scratch.Explainers, scratch.Search);
            if (scratch.Explainers.Count == 0)
            {
                return true;
            }
            foreach (var explainer in scratch.Explainers)
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
    public static bool IsRequest(SpanTree tree, int node) =>
        tree.Parent[node] == SpanTree.None || tree.Spans[node].Kind is SpanKind.Server or SpanKind.Consumer;
}

/// <summary>The lists <see cref="ErrorOrigin.Originated"/> reuses from span to span.</summary>
internal sealed class ErrorOriginScratch
{
    public Stack<int> Pending { get; } = new();
    public Stack<int> Search { get; } = new();
    public List<int> Explainers { get; } = [];
}
