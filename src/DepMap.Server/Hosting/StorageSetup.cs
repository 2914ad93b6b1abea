using DepMap.Server.Features.Aggregation;
using DepMap.Storage;
using DepMap.Storage.Aggregation;
using DepMap.Storage.PostgreSql;
using DepMap.Storage.PostgreSql.Aggregation;
using DepMap.Storage.PostgreSql.Spans;
using DepMap.Storage.Spans;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Hosting;

/// <summary>The span database: EF Core for everything but the ingest append path.</summary>
internal static class StorageSetup
{
    public static IServiceCollection AddDepMapStorage(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var provider = Provider(configuration);
        var storage = configuration.GetSection("Storage").Get<StorageOptions>() ?? new StorageOptions();
        services.AddOptions<StorageOptions>()
            .Bind(configuration.GetSection("Storage"))
            .Validate(o => o.CheckpointIntervalMs is >= 10 and <= 60_000, "Storage:CheckpointIntervalMs must be between 10 and 60000.")
            .ValidateOnStart();
        if (provider == StorageProvider.PostgreSql)
        {
            var connectionString = configuration.GetConnectionString("DepMap")
                ?? throw new InvalidOperationException("ConnectionStrings:DepMap is not set (with Storage:Provider=PostgreSql, an Npgsql connection string).");
            services.AddSingleton(new PostgreSqlStore(connectionString));
            services.AddDbContext<DepMapDbContext>(options => options.UseDepMapPostgreSql(connectionString));
            services.AddScoped<IAggregationEngine, PostgreSqlAggregationEngine>();
            services.AddSingleton<ISpanStorage, PostgreSqlSpanStorage>();
            services.AddScoped<ISpanRetention, PostgreSqlSpanRetention>();
            return services;
        }

        var sqlite = SqliteConnectionString(configuration, environment);
        services.AddDbContext<DepMapDbContext>(options => options.UseDepMapSqlite(sqlite));
        // The aggregation engine goes with the store: the handler runs whichever is chosen here.
        services.AddScoped<IAggregationEngine, SqliteAggregationEngine>();
        // Traces still receiving spans wait here between runs (the engine is per scope, they are per process).
        services.AddSingleton(sp => new PendingTraces(sp.GetRequiredService<IOptions<AggregationOptions>>().Value.WaitingSpansInMemory));
        // The span writer and the WAL checkpointer work on the span file itself.
        services.AddSingleton(new SpanStore(SpanFile.ConnectionStringFor(sqlite), storage.Synchronous));
        services.AddSingleton(DepMapFiles.From(sqlite));
        // The span writer's and retention's deletes take this process's write turn on the span file.
        services.AddSingleton<SpanFileWriteLock>();
        services.AddSingleton<ISpanStorage, SqliteSpanStorage>();
        services.AddScoped<ISpanRetention, SqliteSpanRetention>();
        services.AddSingleton<WalCheckpointer>();
        services.AddHostedService(sp => sp.GetRequiredService<WalCheckpointer>());
        return services;
    }

    public static void MigrateDepMapDatabase(this WebApplication app)
    {
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<DepMapDbContext>();
        if (db.Database.IsNpgsql())
        {
            // Instances starting together migrate one at a time (an advisory lock).
            PostgreSqlDatabase.Migrate(db);
            return;
        }
        DepMapDatabase.Migrate(db);
    }

    /// <summary><c>Storage:Provider</c>, refused at start with the accepted values when it is none of them.</summary>
    public static StorageProvider Provider(IConfiguration configuration)
    {
        var value = configuration["Storage:Provider"];
        if (string.IsNullOrWhiteSpace(value))
        {
            return StorageProvider.Sqlite;
        }
        return Enum.TryParse<StorageProvider>(value, ignoreCase: true, out var provider) && Enum.IsDefined(provider)
            ? provider
            : throw new InvalidOperationException($"Storage:Provider is '{value}'; it must be Sqlite (the default) or PostgreSql.");
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

/// <summary>Where DepMap keeps its spans, statistics and jobs (<c>Storage:Provider</c>).</summary>
internal enum StorageProvider
{
    /// <summary>Two SQLite files beside each other (ConnectionStrings:DepMap names the first): one instance.</summary>
    Sqlite,
    /// <summary>One PostgreSQL database (ConnectionStrings:DepMap is its Npgsql connection string): any number of instances.</summary>
    PostgreSql,
}

/// <summary>The <c>Storage</c> settings.</summary>
internal sealed class StorageOptions
{
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    public SqliteSynchronous Synchronous { get; set; } = SqliteSynchronous.Full;
    /// <summary>How often the WAL is copied into the database file, off the span writer's commits.</summary>
    public int CheckpointIntervalMs { get; set; } = 1_000;
}
