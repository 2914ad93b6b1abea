using DepMap.Ingest;
using DepMap.Server.Features.Metrics;
using DepMap.Storage.Spans;
using Mediator;

namespace DepMap.Server.Features.Ingest;

/// <summary>Store the spans of one payload; answered once they are committed (or refused).</summary>
internal sealed record IngestSpans(TraceFormat Format, ReadOnlyMemory<byte> Payload) : IRequest<IngestResult>;

internal enum IngestStatus
{
    Committed,
    Malformed,
    QueueFull,
    Unavailable,
}

/// <summary>
/// The outcome of <see cref="IngestSpans"/>. <see cref="RejectedSpans"/> and <see cref="Message"/>
/// carry the decoder's partial rejection on success, or the reason the payload was malformed.
/// </summary>
internal sealed record IngestResult(IngestStatus Status, int AcceptedSpans = 0, int RejectedSpans = 0, string? Message = null);

internal sealed class IngestSpansHandler(SpanWriter writer, DepMapMetrics metrics) : IRequestHandler<IngestSpans, IngestResult>
{
    public async ValueTask<IngestResult> Handle(IngestSpans request, CancellationToken cancellationToken)
    {
        DecodedBatch batch;
        try
        {
            batch = SpanDecoders.Decode(request.Format, request.Payload.Span);
        }
        catch (SpanDecodeException exception)
        {
            metrics.PayloadRefused(request.Format, "malformed");
            return new IngestResult(IngestStatus.Malformed, Message: exception.Message);
        }

        // Encoded here, on the request's thread, so the single writer only binds and inserts.
        var rows = new EncodedSpan[batch.Spans.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = EncodedSpan.From(batch.Spans[i]);
        }

        // Not cancelled with the request: once queued the spans will be committed, and a client
        // that went away simply misses the acknowledgement (and retries; duplicates count once).
        var outcome = await writer.WriteAsync(rows);
        metrics.SpansRefused(request.Format, "invalid_span", batch.RejectedSpans);
        switch (outcome)
        {
            case WriteOutcome.Committed:
                metrics.SpansReceived(request.Format, rows.Length);
                break;
            case WriteOutcome.QueueFull:
                metrics.SpansRefused(request.Format, "queue_full", rows.Length);
                break;
            default:
                metrics.SpansRefused(request.Format, "unavailable", rows.Length);
                break;
        }
        return outcome switch
        {
            WriteOutcome.Committed => new IngestResult(IngestStatus.Committed, rows.Length, batch.RejectedSpans, batch.RejectionMessage),
            WriteOutcome.QueueFull => new IngestResult(IngestStatus.QueueFull, Message: "The ingest queue is full; retry later."),
            _ => new IngestResult(IngestStatus.Unavailable, Message: "Storage is unavailable; retry later."),
        };
    }
}
