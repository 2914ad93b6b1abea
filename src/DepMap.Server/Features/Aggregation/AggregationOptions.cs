namespace DepMap.Server.Features.Aggregation;

/// <summary>The <c>Aggregation</c> settings (documented in appsettings.json).</summary>
internal sealed class AggregationOptions
{
    /// <summary>Hangfire cron with seconds; Hangfire's SQLite storage looks at recurring jobs every 15 s anyway.</summary>
    public string Cron { get; set; } = "*/15 * * * * *";
    public int SettleSeconds { get; set; } = 30;
    /// <summary>Spans taken into their traces per transaction.</summary>
    public int SpanBatchSize { get; set; } = 50_000;
    /// <summary>Traces linked per transaction.</summary>
    public int TraceBatchSize { get; set; } = 10_000;
}
