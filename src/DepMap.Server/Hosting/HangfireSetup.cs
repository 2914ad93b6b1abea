using Hangfire;
using Hangfire.Dashboard;
using Hangfire.InMemory;
using Hangfire.Storage.SQLite;

namespace DepMap.Server.Hosting;

/// <summary>
/// Hangfire runs DepMap's recurring jobs. Jobs are registered through the injected
/// <see cref="IRecurringJobManager"/>, never the static API: the static <c>JobStorage.Current</c>
/// leaks between hosts (tests start several), so the storage is a singleton of this host's
/// container and everything Hangfire resolves takes it from there.
/// </summary>
internal static class HangfireSetup
{
    public static IServiceCollection AddDepMapHangfire(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var options = configuration.GetSection("Hangfire").Get<HangfireOptions>() ?? new HangfireOptions();
        services.AddSingleton(options);
        // Registered before AddHangfire, which only adds its own JobStorage when none is there.
        services.AddSingleton<JobStorage>(_ => options.Storage switch
        {
            HangfireStorageKind.InMemory => new InMemoryStorage(),
            _ => new SQLiteStorage(SqlitePath(configuration, environment), new SQLiteStorageOptions()),
        });
        services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        services.AddHangfireServer(server =>
        {
            server.WorkerCount = options.WorkerCount;
            server.SchedulePollingInterval = TimeSpan.FromSeconds(1);
        });
        return services;
    }

    public static void MapDepMapHangfireDashboard(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<HangfireOptions>();
        IDashboardAuthorizationFilter access = options.DashboardLocalOnly
            ? new LocalRequestsOnlyAuthorizationFilter()
            : new AllowAllDashboardFilter();
        app.MapHangfireDashboard("/hangfire", new DashboardOptions { Authorization = [access] });
    }

    private static string SqlitePath(IConfiguration configuration, IHostEnvironment environment)
    {
        // A file of its own: Hangfire's polling would otherwise contend with the span writer for
        // the one SQLite write lock.
        var path = RootSettings.ResolvePath(environment, configuration.GetConnectionString("Hangfire") ?? "data/hangfire.db");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    private sealed class AllowAllDashboardFilter : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => true;
    }
}

internal enum HangfireStorageKind
{
    SQLite,
    InMemory,
}

/// <summary>The <c>Hangfire</c> settings.</summary>
internal sealed class HangfireOptions
{
    public HangfireStorageKind Storage { get; set; } = HangfireStorageKind.SQLite;
    public int WorkerCount { get; set; } = 2;
    public bool DashboardLocalOnly { get; set; } = true;
}
