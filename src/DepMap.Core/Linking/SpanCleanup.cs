using DepMap.Core.Spans;

namespace DepMap.Core.Linking;

/// <summary>
/// Zipkin's <c>Trace.merge</c>: spans sent in several pieces, or twice, become one; a server that
/// reuses its client's span id without saying so gets its <c>shared</c> flag and the client's parent.
/// </summary>
internal static class SpanCleanup
{
    // A cached delegate: Array.Sort with an IComparer wraps it in a new one on every call.
    private static readonly Comparison<Span> Order = new CleanupOrder().Compare;

    /// <summary>Sorts and merges <paramref name="spans"/>[0..count) in place; returns the new count.</summary>
    public static int Merge(Span[] spans, int count)
    {
        spans.AsSpan(0, count).Sort(Order);
        var written = 0;
        Span? last = null;
        var read = 0;
        while (read < count)
        {
            var span = spans[read++];
            var merged = span;
            string? service = span.LocalService;
            while (read < count && spans[read].SpanId == span.SpanId)
            {
                var next = spans[read];
                // Zipkin merges pieces with the same id and sharing, unless their endpoints disagree.
                if (span.Shared != next.Shared || !TryMergeEndpoint(ref service, next.LocalService))
                {
                    break;
                }
                merged = Combine(merged, next);
                read++;
            }

            // Zipkin checks the original span here, not the merged one; so do we.
            if (last is not null && last.SpanId == span.SpanId)
            {
                var shared = span.Shared;
                if (last.Kind == SpanKind.Client && span.Kind == SpanKind.Server && !shared)
                {
                    // Some B3 instrumentation shares the client's id without setting the flag.
                    shared = true;
                    merged = merged with { Shared = true };
                }
                if (shared && span.ParentId == 0 && last.ParentId != 0)
                {
                    // A shared server whose parent id was not propagated: the client knows it.
                    merged = merged with { ParentId = last.ParentId };
                }
            }
            spans[written++] = merged;
            last = merged;
        }
        Array.Clear(spans, written, count - written);
        return written;
    }

    private static bool TryMergeEndpoint(ref string? service, string? next)
    {
        if (next is null)
        {
            return true;
        }
        if (service is not null && !string.Equals(service, next, StringComparison.Ordinal))
        {
            return false;
        }
        service ??= next;
        return true;
    }

    /// <summary>Zipkin's <c>Span.Builder.merge</c>: the first piece wins, the others fill its gaps.</summary>
    private static Span Combine(Span first, Span next) => first with
    {
        ParentId = first.ParentId != 0 ? first.ParentId : next.ParentId,
        Kind = first.Kind != SpanKind.Unspecified ? first.Kind : next.Kind,
        Name = first.Name ?? next.Name,
        StartUnixNano = first.StartUnixNano != 0 ? first.StartUnixNano : next.StartUnixNano,
        DurationNano = first.DurationNano != 0 ? first.DurationNano : next.DurationNano,
        LocalService = first.LocalService ?? next.LocalService,
        RemoteService = first.RemoteService ?? next.RemoteService,
        Shared = first.Shared || next.Shared,
        Error = first.Error || next.Error,
        Links = next.Links.Count == 0 ? first.Links : first.Links.Count == 0 ? next.Links : [.. first.Links, .. next.Links],
        PeerService = first.PeerService ?? next.PeerService,
        ServerAddress = first.ServerAddress ?? next.ServerAddress,
        ServerPort = first.ServerPort ?? next.ServerPort,
        NetworkPeerAddress = first.NetworkPeerAddress ?? next.NetworkPeerAddress,
        NetworkPeerPort = first.NetworkPeerPort ?? next.NetworkPeerPort,
        DbNamespace = first.DbNamespace ?? next.DbNamespace,
        DbName = first.DbName ?? next.DbName,
        DbSystem = first.DbSystem ?? next.DbSystem,
        DbSystemName = first.DbSystemName ?? next.DbSystemName,
        MessagingSystem = first.MessagingSystem ?? next.MessagingSystem,
        MessagingDestinationName = first.MessagingDestinationName ?? next.MessagingDestinationName,
        HttpResponseStatusCode = first.HttpResponseStatusCode ?? next.HttpResponseStatusCode,
        ServiceNamespace = first.ServiceNamespace ?? next.ServiceNamespace,
        NetPeerName = first.NetPeerName ?? next.NetPeerName,
        NetSockPeerAddress = first.NetSockPeerAddress ?? next.NetSockPeerAddress,
        NetSockPeerPort = first.NetSockPeerPort ?? next.NetSockPeerPort,
    };

    /// <summary>Zipkin's cleanup order: by id, then unshared clients first, then endpoint (none first).</summary>
    private sealed class CleanupOrder : IComparer<Span>
    {
        public int Compare(Span? left, Span? right)
        {
            if (ReferenceEquals(left, right))
            {
                return 0;
            }
            var byId = left!.SpanId.CompareTo(right!.SpanId);
            if (byId != 0)
            {
                return byId;
            }
            var byShared = CompareShared(left, right);
            if (byShared != 0)
            {
                return byShared;
            }
            if (left.LocalService is null)
            {
                return right.LocalService is null ? 0 : -1;
            }
            return right.LocalService is null ? 1 : string.CompareOrdinal(left.LocalService, right.LocalService);
        }

        private static int CompareShared(Span left, Span right)
        {
            if (left.Shared || right.Shared)
            {
                return left.Shared == right.Shared ? 0 : left.Shared ? 1 : -1;
            }
            var leftClient = left.Kind == SpanKind.Client;
            var rightClient = right.Kind == SpanKind.Client;
            return leftClient == rightClient ? 0 : leftClient ? -1 : 1;
        }
    }
}
