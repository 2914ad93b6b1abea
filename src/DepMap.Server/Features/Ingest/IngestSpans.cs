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

internal sealed partial class IngestSpansHandler(SpanWriter writer, DepMapMetrics metrics, ILogger<IngestSpansHandler> logger) : IRequestHandler<IngestSpans, IngestResult>
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
        if (batch.RejectedSpans > 0)
        {
            LogRejected(logger, request.Format, batch.RejectedSpans, batch.Spans.Count, batch.RejectionMessage);
            // Counted here, before the 400 below: a payload with nothing usable refuses its spans too.
            metrics.SpansRefused(request.Format, "invalid_span", batch.RejectedSpans);
            // OTLP says how many it refused in partial_success even when that is all of them;
            // Zipkin and Jaeger have no such answer, so a payload with nothing usable is a 400.
            if (batch.Spans.Count == 0 && request.Format is TraceFormat.ZipkinJson or TraceFormat.JaegerJson)
            {
                return new IngestResult(IngestStatus.Malformed, RejectedSpans: batch.RejectedSpans, Message: batch.RejectionMessage);
            }
        }
        if (batch.TruncatedNames > 0)
        {
            LogTruncated(logger, request.Format, batch.TruncatedNames, DepMap.Core.Spans.Span.MaxNameLength);
            metrics.NamesTruncated(request.Format, batch.TruncatedNames);
        }

        var rows = Encode(batch);
        var (rejected, rejection) = (batch.RejectedSpans, batch.RejectionMessage);

        // Not cancelled with the request: once queued the spans will be committed, and a client
        // that went away simply misses the acknowledgement (and retries; duplicates count once).
        var outcome = await writer.WriteAsync(rows);
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
            WriteOutcome.Committed => new IngestResult(IngestStatus.Committed, rows.Length, rejected, rejection),
            WriteOutcome.QueueFull => new IngestResult(IngestStatus.QueueFull, Message: "The ingest queue is full; retry later."),
            // A full disk or a read-only file: 503 with Retry-After (the spans are not stored), saying why.
            WriteOutcome.StorageFault => new IngestResult(IngestStatus.Unavailable,
                Message: $"{writer.LastFault?.Message ?? "Storage refused the write."} The spans were not stored; retry later."),
            _ => new IngestResult(IngestStatus.Unavailable, Message: "Storage is unavailable; retry later."),
        };
    }

    // Encoded here, on the request's thread, so the single writer only binds and inserts. Only the
    // rows outlive this call: the decoded spans (their strings and attributes, several times the
    // rows' size) must not wait for the commit in the handler's state, or under overload every
    // admitted request's spans survive into gen2 and the server runs gen2 collections (docs/benchmarks.md).
    private static EncodedSpan[] Encode(DecodedBatch batch)
    {
        var rows = new EncodedSpan[batch.Spans.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = EncodedSpan.From(batch.Spans[i]);
        }
        return rows;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Format}: refused {RejectedSpans} spans, accepted {AcceptedSpans}: {Reason}")]
    private static partial void LogRejected(ILogger logger, TraceFormat format, int rejectedSpans, int acceptedSpans, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Format}: cut {TruncatedNames} names longer than {MaxLength} characters to that length")]
    private static partial void LogTruncated(ILogger logger, TraceFormat format, int truncatedNames, int maxLength);
}
