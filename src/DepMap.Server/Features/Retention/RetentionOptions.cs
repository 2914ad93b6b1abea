namespace DepMap.Server.Features.Retention;

/// <summary>The <c>Retention</c> settings (documented in appsettings.json).</summary>
internal sealed class RetentionOptions
{
    public TimeSpan RawSpans { get; set; } = TimeSpan.FromHours(24);
    public TimeSpan MinuteBuckets { get; set; } = TimeSpan.FromDays(7);
    public TimeSpan HourBuckets { get; set; } = TimeSpan.FromDays(400);
    public string Cron { get; set; } = "7 * * * *";
    /// <summary>Rows deleted per transaction, so ingest's commits get the write lock in between.</summary>
    public int DeleteBatchSize { get; set; } = 20_000;
}
