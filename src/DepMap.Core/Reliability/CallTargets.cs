using DepMap.Core.Linking;
using DepMap.Core.Spans;

namespace DepMap.Core.Reliability;

/// <summary>Who a CLIENT or PRODUCER span called, by the linker's rules of the DepMap view.</summary>
internal static class CallTargets
{
    /// <summary>
    /// The server sides answering <paramref name="client"/>, in input order: the SERVER/CONSUMER
    /// spans whose nearest ancestor that is not INTERNAL or kind-less is the client, so a proxy's or
    /// the client's own INTERNAL span in between does not lose the call.
    /// </summary>
    public static void FindAnswers(SpanTree tree, int client, List<int> answers, Stack<int> pending)
    {
        answers.Clear();
        pending.Clear();
        foreach (var child in tree.Children(client))
        {
            pending.Push(child);
        }
        while (pending.TryPop(out var node))
        {
            if (tree.IsServerSide(node))
            {
                answers.Add(node);
            }
            else if (tree.Spans[node].Kind is SpanKind.Internal or SpanKind.Unspecified)
            {
                foreach (var child in tree.Children(node))
                {
                    pending.Push(child);
                }
            }
        }
        answers.Sort();
    }

    /// <summary>
    /// The uninstrumented peer or broker a leaf client or producer called, by the graph's own rule
    /// (<see cref="PeerNames.CalledPeer"/>), so the ranking and the graph name a peer the same way.
    /// Null when nothing names it.
    /// </summary>
    public static string? PeerName(Span client) => PeerNames.CalledPeer(client);
}
