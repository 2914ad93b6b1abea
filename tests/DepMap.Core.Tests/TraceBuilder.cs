using DepMap.Core.Linking;
using DepMap.Core.Spans;

namespace DepMap.Core.Tests;

/// <summary>
/// Builds one trace span by span: ids are assigned in order, each span starts 1 ms after the
/// previous one and lasts 10 ms unless <c>with</c> says otherwise.
/// </summary>
internal sealed class TraceBuilder(ulong traceId = 0x1234)
{
    private const long Millisecond = 1_000_000;
    private readonly List<Span> _spans = [];
    private ulong _nextId = 1;
    private long _nextStart = 1_700_000_000_000 * Millisecond;

    public TraceId TraceId { get; } = new(0, traceId);

    public IReadOnlyList<Span> Spans => _spans;

    public Span Server(string? service, Span? parent = null, Func<Span, Span>? with = null) => Add(SpanKind.Server, service, parent, with);

    public Span Client(string? service, Span? parent = null, Func<Span, Span>? with = null) => Add(SpanKind.Client, service, parent, with);

    public Span Internal(string? service, Span? parent = null, Func<Span, Span>? with = null) => Add(SpanKind.Internal, service, parent, with);

    public Span Producer(string? service, Span? parent = null, Func<Span, Span>? with = null) => Add(SpanKind.Producer, service, parent, with);

    public Span Consumer(string? service, Span? parent = null, Func<Span, Span>? with = null) => Add(SpanKind.Consumer, service, parent, with);

    /// <summary>Reports <paramref name="span"/> again, as a retrying exporter does.</summary>
    public TraceBuilder Again(Span span)
    {
        _spans.Add(span);
        return this;
    }

    public Span Add(SpanKind kind, string? service, Span? parent, Func<Span, Span>? with)
    {
        var span = new Span
        {
            TraceId = TraceId,
            SpanId = _nextId++,
            ParentId = parent?.SpanId ?? 0,
            Kind = kind,
            LocalService = service,
            Name = $"{kind.ToString().ToLowerInvariant()} {service}",
            StartUnixNano = _nextStart,
            DurationNano = 10 * Millisecond,
        };
        _nextStart += Millisecond;
        if (with is not null)
        {
            span = with(span);
        }
        _spans.Add(span);
        return span;
    }

    public IReadOnlyList<Call> Link(LinkerOptions? options = null) =>
        TraceLinker.Link(_spans, options ?? LinkerOptions.DepMap).Calls;
}
