namespace DepMap.Server.Features.Aggregation;

/// <summary>The <c>Aggregation</c> settings (documented in appsettings.json).</summary>
internal sealed class AggregationOptions
{
    /// <summary>Hangfire cron with seconds; Hangfire's SQLite storage looks at recurring jobs every 15 s anyway.</summary>
    public string Cron { get; set; } = "*/15 * * * * *";
    public int SettleSeconds { get; set; } = 30;
    /// <summary>Spans read and linked per transaction in a flush; two batches are in memory at a time.</summary>
    public int SpanBatchSize { get; set; } = 100_000;
    /// <summary>
    /// Spans per transaction in a recurring run, which shares the process with ingest: a smaller
    /// batch keeps less alive through each garbage collection, and ingest's requests wait out
    /// shorter pauses (documented in appsettings.json with the figures).
    /// </summary>
    public int RecurringSpanBatchSize { get; set; } = 20_000;
}
