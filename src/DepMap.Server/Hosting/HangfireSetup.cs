using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Dashboard;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
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
        // Unset, Hangfire keeps its jobs where DepMap keeps its data: on PostgreSQL every instance
        // then shares one queue, so a recurring job runs once per schedule, not once per instance.
        var storage = options.Storage ?? (StorageSetup.Provider(configuration) == StorageProvider.PostgreSql
            ? HangfireStorageKind.PostgreSql
            : HangfireStorageKind.SQLite);
        services.AddSingleton<JobStorage>(provider => storage switch
        {
            HangfireStorageKind.InMemory => new InMemoryStorage(),
            HangfireStorageKind.PostgreSql => PostgreSql(configuration, provider.GetRequiredService<ILoggerFactory>()),
            _ => new SQLiteStorage(SqlitePath(configuration, environment), new SQLiteStorageOptions()),
        });
        // Likewise the job activator: AddHangfire's default hands out the static JobActivator.Current,
        // which the last host to start overwrites, so a job could run in another host's container.
        services.AddSingleton<JobActivator>(provider => new AspNetCoreJobActivator(provider.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((provider, config) => config
            .UseLogProvider(new HostLogProvider(provider.GetRequiredService<ILoggerFactory>()))
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

    private static PostgreSqlStorage PostgreSql(IConfiguration configuration, ILoggerFactory loggers)
    {
        // Hangfire.PostgreSql's classes take their loggers from Hangfire's process-wide log provider
        // once, when first used, and that happens in this constructor, before AddHangfire's own
        // configuration points the provider at this host: a host that started and stopped earlier
        // (tests start several) would hand them its disposed LoggerFactory.
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(new HostLogProvider(loggers));
        var connectionString = configuration.GetConnectionString("DepMap")
            ?? throw new InvalidOperationException("ConnectionStrings:DepMap is not set (Hangfire:Storage=PostgreSql keeps the jobs in DepMap's database).");
        // Its own schema in DepMap's database, created (under Hangfire's own lock) by the first instance to start.
        var options = new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = true };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
    }

    private static string SqlitePath(IConfiguration configuration, IHostEnvironment environment)
    {
        // A file of its own: Hangfire's polling would otherwise contend with the span writer for
        // the one SQLite write lock.
        var path = RootSettings.ResolvePath(environment, configuration.GetConnectionString("Hangfire") ?? "data/hangfire.db");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    /// <summary>
    /// Hangfire's log provider is process-wide and its classes take a logger when they are built: in
    /// a process that starts and stops several hosts (the tests), one host can build them while the
    /// provider still holds a host that has stopped since. Its disposed LoggerFactory then throws
    /// and the starting host fails; this provider gives a silent logger instead.
    /// </summary>
    private sealed class HostLogProvider(ILoggerFactory loggers) : Hangfire.Logging.ILogProvider
    {
        private readonly AspNetCoreLogProvider _host = new(loggers);

        public Hangfire.Logging.ILog GetLogger(string name)
        {
            try
            {
                return _host.GetLogger(name);
            }
            catch (ObjectDisposedException)
            {
                return Silent.Instance;
            }
        }

        private sealed class Silent : Hangfire.Logging.ILog
        {
            public static readonly Silent Instance = new();

            public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
        }
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
    PostgreSql,
}

/// <summary>The <c>Hangfire</c> settings.</summary>
internal sealed class HangfireOptions
{
    /// <summary>Unset: SQLite beside DepMap's files, or DepMap's PostgreSQL database with Storage:Provider=PostgreSql.</summary>
    public HangfireStorageKind? Storage { get; set; }
    public int WorkerCount { get; set; } = 2;
    public bool DashboardLocalOnly { get; set; } = true;
}
