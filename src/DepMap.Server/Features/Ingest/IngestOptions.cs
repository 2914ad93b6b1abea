namespace DepMap.Server.Features.Ingest;

/// <summary>The <c>Ingest</c> settings.</summary>
internal sealed class IngestOptions
{
    /// <summary>Largest request body accepted, counted after decompression.</summary>
    public long MaxBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Request bodies held at once across every ingest request, from admission to the answer
    /// (see <see cref="IngestAdmission"/>). Past it a request is refused before its body is read.
    /// At least <see cref="MaxBodyBytes"/>, so the largest body is admitted when nothing else is held.
    /// </summary>
    public long MaxBufferedBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>
    /// The slowest a client may send a body, after a 5 s grace: below it Kestrel drops the request,
    /// so a slow client cannot keep its share of <see cref="MaxBufferedBytes"/> for long. 0 keeps Kestrel's default (240 bytes/s).
    /// </summary>
    public int MinBodyBytesPerSecond { get; set; } = 64 * 1024;

    /// <summary>
    /// Spans waiting for, or inside, the current commit. Past it requests are refused with 429 /
    /// RESOURCE_EXHAUSTED rather than queued without bound.
    /// </summary>
    public int QueueCapacitySpans { get; set; } = 200_000;

    /// <summary>
    /// The longest a request may be expected to wait for its answer. When the predicted wait
    /// (<see cref="IngestAdmission.DelayRefusal"/>) is past it, a request is refused before its
    /// body is read, so overload costs a header and accepted requests stay prompt. Zero turns the check off.
    /// </summary>
    public TimeSpan MaxQueueDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The managed heap past which one full collection is made (<see cref="IngestMemoryTrimmer"/>),
    /// so garbage the server GC would leave for later does not take the process past its memory
    /// bound after a flood. 0 turns it off.
    /// </summary>
    public long HeapSoftLimitBytes { get; set; } = 320L * 1024 * 1024;

    /// <summary>What Retry-After tells a refused client; the least it says when refused before the body is read.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>
    /// The most Retry-After says to a client refused before its body is read: the advice doubles
    /// from <see cref="RetryAfterSeconds"/> each second in which more requests are refused than taken
    /// (<see cref="RefusalBackoff"/>). Kept under the OTLP exporters' default timeout of 10 s.
    /// </summary>
    public int MaxRetryAfterSeconds { get; set; } = 4;
}
