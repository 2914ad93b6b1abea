using DepMap.Server.Features.Retention;
using Hangfire;

namespace DepMap.Server.Features.Aggregation;

internal static class AggregationSetup
{
    public static IServiceCollection AddAggregation(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AggregationOptions>()
            .Bind(configuration.GetSection("Aggregation"))
            .Validate(o => !string.IsNullOrWhiteSpace(o.Cron), "Aggregation:Cron must be set.")
            .Validate(o => o.SettleSeconds >= 0, "Aggregation:SettleSeconds must not be negative.")
            .Validate(o => o.WakeIntervalSeconds is >= 0 and <= 3600, "Aggregation:WakeIntervalSeconds must be between 0 and 3600.")
            .Validate(o => o.SpanBatchSize is null or > 0, "Aggregation:SpanBatchSize must be positive.")
            .Validate(o => o.RecurringSpanBatchSize > 0, "Aggregation:RecurringSpanBatchSize must be positive.")
            .Validate(o => o.CatchUpSpanBatchSize > 0, "Aggregation:CatchUpSpanBatchSize must be positive.")
            .Validate(o => o.WaitingSpansInMemory >= 0, "Aggregation:WaitingSpansInMemory must not be negative.")
            .ValidateOnStart();
        services.AddOptions<RetentionOptions>()
            .Bind(configuration.GetSection("Retention"))
            .Validate(o => o.RawSpans > TimeSpan.Zero && o.MinuteBuckets > TimeSpan.Zero && o.HourBuckets > TimeSpan.Zero,
                "Retention:RawSpans, MinuteBuckets and HourBuckets must be positive.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Cron), "Retention:Cron must be set.")
            .Validate(o => o.DeleteBatchSize > 0, "Retention:DeleteBatchSize must be positive.")
            .ValidateOnStart();
        services.AddSingleton<AggregationProgress>();
        services.AddSingleton<AggregationGate>();
        services.AddSingleton<SpansCommitted>();
        services.AddHostedService<AggregationWake>();
        services.AddScoped<AggregationJob>();
        services.AddScoped<RetentionJob>();
        return services;
    }

    /// <summary>Registers (or updates) the recurring jobs from configuration, through the host's own manager.</summary>
    public static void ScheduleAggregationJobs(this WebApplication app)
    {
        var jobs = app.Services.GetRequiredService<IRecurringJobManager>();
        var aggregation = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AggregationOptions>>().Value;
        var retention = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RetentionOptions>>().Value;
        var utc = new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc };
        jobs.AddOrUpdate<AggregationJob>(AggregationJob.Id, job => job.RunAsync(CancellationToken.None), aggregation.Cron, utc);
        jobs.AddOrUpdate<RetentionJob>(RetentionJob.Id, job => job.RunAsync(CancellationToken.None), retention.Cron, utc);
    }
}
