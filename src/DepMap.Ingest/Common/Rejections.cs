using DepMap.Core.Spans;

namespace DepMap.Ingest.Common;

/// <summary>
/// Spans refused one by one (no usable trace or span id). OTLP answers these with
/// <c>partial_success</c> instead of failing the whole request; the message names the first one.
/// </summary>
internal sealed class Rejections
{
    private int _count;
    private string? _first;

    public void Add(string where, string reason)
    {
        _count++;
        _first ??= where + ": " + reason;
    }

    public DecodedBatch ToBatch(List<Span> spans, int truncatedNames) => _count == 0
        ? new DecodedBatch(spans) { TruncatedNames = truncatedNames }
        : new DecodedBatch(spans, _count, _count == 1
            ? "1 span rejected: " + _first
            : $"{_count} spans rejected, the first: {_first}")
        { TruncatedNames = truncatedNames };
}
