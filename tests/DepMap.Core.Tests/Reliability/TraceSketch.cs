using DepMap.Core.Spans;

namespace DepMap.Core.Tests.Reliability;

/// <summary>
/// Builds one trace by hand for the reliability tests: times are in milliseconds from the trace's
/// start, span ids are handed out in order.
/// </summary>
internal sealed class TraceSketch(ulong traceId = 1)
{
    private const long NanosPerMs = 1_000_000;
    private readonly List<Span> _spans = [];
    private ulong _nextSpanId = 1;

    public List<Span> Spans => _spans;

    public Span Server(string service, double startMs, double durationMs, Span? parent = null, bool error = false) =>
        Add(service, SpanKind.Server, startMs, durationMs, parent, error);

    public Span Client(string service, double startMs, double durationMs, Span parent, bool error = false) =>
        Add(service, SpanKind.Client, startMs, durationMs, parent, error);

    public Span Internal(string service, double startMs, double durationMs, Span parent, bool error = false) =>
        Add(service, SpanKind.Internal, startMs, durationMs, parent, error);

    /// <summary>A leaf database call: a CLIENT span carrying <c>db.system</c> and <c>db.namespace</c>.</summary>
    public Span Database(string service, string database, double startMs, double durationMs, Span parent, bool error = false)
    {
        var span = Add(service, SpanKind.Client, startMs, durationMs, parent, error) with
        {
            DbSystem = "postgresql",
            DbNamespace = database,
        };
        _spans[^1] = span;
        return span;
    }

    /// <summary>A CLIENT span in <paramref name="caller"/> answered by a SERVER span in <paramref name="callee"/>.</summary>
    public Span Call(string caller, string callee, double startMs, double durationMs, Span parent, bool error = false)
    {
        var client = Client(caller, startMs, durationMs, parent, error);
        return Server(callee, startMs + 0.5, durationMs - 1, client, error);
    }

    public Span Add(string service, SpanKind kind, double startMs, double durationMs, Span? parent, bool error)
    {
        var span = new Span
        {
            TraceId = new TraceId(0, traceId),
            SpanId = _nextSpanId++,
            ParentId = parent?.SpanId ?? 0,
            Kind = kind,
            LocalService = service,
            Name = $"{service} {kind}",
            StartUnixNano = (long)(startMs * NanosPerMs),
            DurationNano = (long)(durationMs * NanosPerMs),
            Error = error,
        };
        _spans.Add(span);
        return span;
    }

    public static long Ms(double ms) => (long)(ms * NanosPerMs);
}
