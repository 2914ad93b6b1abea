using DepMap.Storage;
using DepMap.Storage.Aggregation;
using DepMap.Storage.Spans;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Server.Hosting;

/// <summary>The span database: EF Core for everything but the ingest append path.</summary>
internal static class StorageSetup
{
    public static IServiceCollection AddDepMapStorage(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var connectionString = SqliteConnectionString(configuration, environment);
        var storage = configuration.GetSection("Storage").Get<StorageOptions>() ?? new StorageOptions();
        services.AddOptions<StorageOptions>()
            .Bind(configuration.GetSection("Storage"))
            .Validate(o => o.CheckpointIntervalMs is >= 10 and <= 60_000, "Storage:CheckpointIntervalMs must be between 10 and 60000.")
            .ValidateOnStart();
        services.AddDbContext<DepMapDbContext>(options => options.UseDepMapSqlite(connectionString));
        // The aggregation engine goes with the store: the handler runs whichever is chosen here.
        services.AddScoped<IAggregationEngine, SqliteAggregationEngine>();
        // The span writer and the WAL checkpointer work on the span file itself.
        services.AddSingleton(new SpanStore(SpanFile.ConnectionStringFor(connectionString), storage.Synchronous));
        services.AddSingleton<SpanFileWriteLock>();
        services.AddSingleton(DepMapFiles.From(connectionString));
        return services;
    }

    public static void MigrateDepMapDatabase(this WebApplication app)
    {
        using var scope = app.Services.CreateScope();
        DepMapDatabase.Migrate(scope.ServiceProvider.GetRequiredService<DepMapDbContext>());
    }

    private static string SqliteConnectionString(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration.GetConnectionString("DepMap")
            ?? throw new InvalidOperationException("ConnectionStrings:DepMap is not set.");
        var builder = new SqliteConnectionStringBuilder(configured);
        if (builder.Mode != SqliteOpenMode.Memory && builder.DataSource is not ("" or ":memory:"))
        {
            builder.DataSource = RootSettings.ResolvePath(environment, builder.DataSource);
        }
        return builder.ToString();
    }
}

/// <summary>The <c>Storage</c> settings.</summary>
internal sealed class StorageOptions
{
    public SqliteSynchronous Synchronous { get; set; } = SqliteSynchronous.Full;
    /// <summary>How often the WAL is copied into the database file, off the span writer's commits.</summary>
    public int CheckpointIntervalMs { get; set; } = 1_000;
}

/// <summary>Where the span writer opens its own connection (the span file), and how it syncs.</summary>
internal sealed record SpanStore(string ConnectionString, SqliteSynchronous Synchronous)
{
    /// <summary>The span file's path.</summary>
    public string Path { get; } = new SqliteConnectionStringBuilder(ConnectionString).DataSource;
}
