using DepMap.Core.Spans;

namespace DepMap.Ingest;

/// <summary>
/// The spans a payload held. Spans that are individually unusable (no trace or span id) are not
/// returned but counted, so OTLP can answer with <c>partial_success</c>.
/// </summary>
public sealed record DecodedBatch(IReadOnlyList<Span> Spans, int RejectedSpans = 0, string? RejectionMessage = null)
{
    /// <summary>Names longer than <see cref="Span.MaxNameLength"/> that were cut to it (the spans are kept).</summary>
    public int TruncatedNames { get; init; }
}

/// <summary>The payload cannot be decoded at all. The message names the field or byte offset and the reason.</summary>
public sealed class SpanDecodeException(string message) : Exception(message);

/// <summary>The wire formats DepMap reads.</summary>
public enum TraceFormat
{
    OtlpProtobuf,
    OtlpJson,
    ZipkinJson,
    JaegerJson,
}
