using DepMap.Core.Spans;

namespace DepMap.Storage.Spans;

/// <summary>
/// A span ready for the writer: encoded on the request's thread, so the single writer only binds
/// and inserts, and the queue holds compact bytes rather than span objects.
/// </summary>
public readonly record struct EncodedSpan(long TraceIdHigh, long TraceIdLow, byte[] Data)
{
    public static EncodedSpan From(Span span) => new(
        unchecked((long)span.TraceId.High),
        unchecked((long)span.TraceId.Low),
        SpanCodec.Encode(span));
}
