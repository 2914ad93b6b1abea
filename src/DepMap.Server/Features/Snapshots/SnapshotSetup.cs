using Hangfire;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Features.Snapshots;

internal static class SnapshotSetup
{
    public static IServiceCollection AddSnapshots(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SnapshotOptions>()
            .Bind(configuration.GetSection("Snapshots"))
            .Validate(o => !string.IsNullOrWhiteSpace(o.Directory), "Snapshots:Directory must be set.")
            .Validate(o => o.Schedules.All(s => string.IsNullOrEmpty(s.Value.Cron)
                    || SnapshotWindows.Read(s.Value.Lookback, null, null, DateTimeOffset.UnixEpoch.AddYears(50), out _) is not null),
                "Snapshots:Schedules:<name>:Lookback must be a duration such as 1h or 1d.")
            .ValidateOnStart();
        services.AddSingleton<SnapshotFiles>();
        services.AddSingleton<SnapshotRepair>();
        services.AddHostedService(provider => provider.GetRequiredService<SnapshotRepair>());
        if (configuration.GetValue<bool>(SnapshotFaults.KillAfterRowSetting))
        {
            services.AddSingleton(SnapshotFaults.KillingTheProcess());
        }
        services.AddScoped<SnapshotJob>();
        return services;
    }

    /// <summary>Registers (or updates) one recurring job per configured schedule, and removes those switched off.</summary>
    public static void ScheduleSnapshotJobs(this WebApplication app)
    {
        var jobs = app.Services.GetRequiredService<IRecurringJobManager>();
        var utc = new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc };
        foreach (var (name, schedule) in app.Services.GetRequiredService<IOptions<SnapshotOptions>>().Value.Schedules)
        {
            if (string.IsNullOrEmpty(schedule.Cron))
            {
                jobs.RemoveIfExists(SnapshotJob.Id(name));
                continue;
            }
            var lookback = schedule.Lookback;
            jobs.AddOrUpdate<SnapshotJob>(SnapshotJob.Id(name), job => job.RunAsync(lookback, name, CancellationToken.None), schedule.Cron, utc);
        }
    }
}
