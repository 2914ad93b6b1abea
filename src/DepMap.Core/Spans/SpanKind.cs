namespace DepMap.Core.Spans;

/// <summary>
/// The role a span plays in an RPC or a message exchange. Values follow OpenTelemetry's
/// <c>Span.SpanKind</c> numbering so OTLP decoding is a cast; Zipkin's and Jaeger's kinds map onto it.
/// <see cref="Unspecified"/> is Zipkin's kind-less span: it is neither INTERNAL nor an RPC side.
/// </summary>
public enum SpanKind : byte
{
    Unspecified = 0,
    Internal = 1,
    Server = 2,
    Client = 3,
    Producer = 4,
    Consumer = 5,
}
