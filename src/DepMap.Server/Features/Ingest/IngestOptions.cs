namespace DepMap.Server.Features.Ingest;

/// <summary>The <c>Ingest</c> settings.</summary>
internal sealed class IngestOptions
{
    /// <summary>Largest request body accepted, counted after decompression.</summary>
    public long MaxBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Spans waiting for, or inside, the current commit. Past it requests are refused with 429 /
    /// RESOURCE_EXHAUSTED rather than queued without bound.
    /// </summary>
    public int QueueCapacitySpans { get; set; } = 200_000;

    /// <summary>What Retry-After tells a refused client.</summary>
    public int RetryAfterSeconds { get; set; } = 1;
}
