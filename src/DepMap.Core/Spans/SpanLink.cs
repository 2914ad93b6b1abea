namespace DepMap.Core.Spans;

/// <summary>A causal link to a span in this or another trace (OTLP <c>Span.Link</c>, Jaeger <c>FOLLOWS_FROM</c>).</summary>
public readonly record struct SpanLink(TraceId TraceId, ulong SpanId);
