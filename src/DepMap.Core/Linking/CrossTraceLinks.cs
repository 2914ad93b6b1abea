using System.Runtime.InteropServices;
using DepMap.Core.Spans;

namespace DepMap.Core.Linking;

/// <summary>
/// What one trace needs to know of the others to link its messaging spans: OpenTelemetry's
/// messaging conventions have a consumer start a new trace and link to the producer's context, so
/// the pair is split across traces. A consumer linked to a sender (PRODUCER, or CLIENT used as
/// one) in another trace and another named service is paired with it: one producer → consumer call
/// per link, counted in the consumer's trace, and the sender is answered (it does not also call its
/// broker). Built from the spans of every trace that takes part; the DepMap view only (Zipkin links
/// messaging spans to a named broker and never across traces).
/// </summary>
public sealed class CrossTraceLinks
{
    public static readonly CrossTraceLinks None = new([], []);

    private readonly Dictionary<(ulong TraceIdLow, ulong SpanId), Span> _senders;
    private readonly Dictionary<(ulong TraceIdLow, ulong SpanId), List<string>> _consumers;

    private CrossTraceLinks(Dictionary<(ulong, ulong), Span> senders, Dictionary<(ulong, ulong), List<string>> consumers)
    {
        _senders = senders;
        _consumers = consumers;
    }

    /// <summary>No consumer of these traces links to a span in another trace: nothing changes.</summary>
    public bool IsEmpty => _consumers.Count == 0;

    /// <summary>
    /// The links between <paramref name="traces"/> (each the spans of one trace, any order,
    /// duplicates allowed): only the senders some consumer links to are kept.
    /// </summary>
    public static CrossTraceLinks Of(IEnumerable<IReadOnlyList<Span>> traces)
    {
        ArgumentNullException.ThrowIfNull(traces);
        var list = traces as IReadOnlyList<IReadOnlyList<Span>> ?? [.. traces];
        var consumers = new Dictionary<(ulong, ulong), List<string>>();
        foreach (var trace in list)
        {
            foreach (var span in trace)
            {
                if (span.Kind != SpanKind.Consumer || span.Links.Count == 0 || PeerNames.Present(span.LocalService) is not { } service)
                {
                    continue;
                }
                foreach (var link in span.Links)
                {
                    if (link.TraceId.Low != span.TraceId.Low && link.SpanId != 0)
                    {
                        var services = CollectionsMarshal.GetValueRefOrAddDefault(consumers, (link.TraceId.Low, link.SpanId), out _) ??= [];
                        if (!services.Contains(service, StringComparer.Ordinal))
                        {
                            services.Add(service);
                        }
                    }
                }
            }
        }
        var senders = new Dictionary<(ulong, ulong), Span>();
        if (consumers.Count > 0)
        {
            foreach (var trace in list)
            {
                foreach (var span in trace)
                {
                    if (IsSender(span) && consumers.ContainsKey((span.TraceId.Low, span.SpanId)))
                    {
                        // Copies of one span (reported twice) merge as the tree merges them: the
                        // first named piece wins, whatever order the copies came in.
                        ref var known = ref CollectionsMarshal.GetValueRefOrAddDefault(senders, (span.TraceId.Low, span.SpanId), out var exists);
                        known = !exists || Prefer(span, known!) ? span : known;
                    }
                }
            }
        }
        return consumers.Count == 0 ? None : new CrossTraceLinks(senders, consumers);
    }

    /// <summary>The sender <paramref name="link"/> points to in another trace, when that trace was seen.</summary>
    internal Span? Sender(SpanLink link) => _senders.GetValueOrDefault((link.TraceId.Low, link.SpanId));

    /// <summary>
    /// A consumer in another trace and another named service links to <paramref name="sender"/>
    /// (whose service is <paramref name="service"/>): it is answered.
    /// </summary>
    internal bool Answered(Span sender, string service)
    {
        if (!_consumers.TryGetValue((sender.TraceId.Low, sender.SpanId), out var consumers))
        {
            return false;
        }
        foreach (var consumer in consumers)
        {
            if (!string.Equals(consumer, service, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsSender(Span span) => span.Kind is SpanKind.Producer or SpanKind.Client;

    /// <summary>An order-free choice between two copies of one span: the named one, then the longer, then the earlier.</summary>
    private static bool Prefer(Span candidate, Span known)
    {
        var candidateNamed = PeerNames.Present(candidate.LocalService) is not null;
        var knownNamed = PeerNames.Present(known.LocalService) is not null;
        if (candidateNamed != knownNamed)
        {
            return candidateNamed;
        }
        var byService = string.CompareOrdinal(candidate.LocalService, known.LocalService);
        if (byService != 0)
        {
            return byService < 0;
        }
        if (candidate.DurationNano != known.DurationNano)
        {
            return candidate.DurationNano > known.DurationNano;
        }
        return candidate.StartUnixNano < known.StartUnixNano;
    }
}
