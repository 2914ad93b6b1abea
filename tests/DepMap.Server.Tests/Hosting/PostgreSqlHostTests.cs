using System.Net;
using DepMap.Storage;
using DepMap.Storage.PostgreSql;
using DepMap.Tests.Shared;
using DepMap.Tests.Shared.PostgreSql;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using OpenTelemetry.Exporter;
using static DepMap.Tests.Shared.PostgreSql.PostgresCommands;

namespace DepMap.Server.Tests.Hosting;

/// <summary>
/// The real app with <c>Storage:Provider=PostgreSql</c> on real Kestrel, over a database that is
/// empty until the host migrates it, with Hangfire's jobs in the same database.
/// </summary>
public sealed class PostgreSqlHost : IAsyncLifetime
{
    public PostgresDatabase Database { get; private set; } = null!;

    public PostgreSqlDepMapFactory Factory { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await PostgresDatabase.CreateEmptyAsync();
        Factory = new PostgreSqlDepMapFactory(Database.ConnectionString);
        _ = Factory.Address;
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Database.DisposeAsync();
    }
}

/// <summary>HTTP/1.1 (OTLP/HTTP), DepMap's data and Hangfire's jobs in one PostgreSQL database.</summary>
public sealed class PostgreSqlDepMapFactory(string connectionString, Dictionary<string, string?>? settings = null)
    : KestrelDepMapFactory("Http1", new Dictionary<string, string?>(settings ?? [])
    {
        ["Storage:Provider"] = "PostgreSql",
        ["ConnectionStrings:DepMap"] = connectionString,
        // Unset: Hangfire follows the provider (the base factory sets InMemory for the SQLite tests).
        ["Hangfire:Storage"] = null,
    });

[Trait("Provider", "PostgreSql")]
public class PostgreSqlHostTests(PostgreSqlHost host) : IClassFixture<PostgreSqlHost>
{
    [Fact]
    public async Task Start_MigratesTheDatabaseAndKeepsHangfireInIt_WhenProviderIsPostgreSql()
    {
        using var scope = host.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<DepMapDbContext>();

        Assert.True(db.Database.IsNpgsql());
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        await using var connection = await host.Database.ConnectAsync();
        await using var hangfire = new NpgsqlCommand("SELECT count(*) FROM hangfire.set WHERE key = 'recurring-jobs'", connection);
        Assert.True((long)(await hangfire.ExecuteScalarAsync())! >= 2);
    }

    [Fact]
    public async Task Export_StoresEveryAcknowledgedSpanInPostgreSql_WhenTheSdkSendsOverHttp()
    {
        await using var connection = await host.Database.ConnectAsync();
        var before = await CountAsync(connection, "SELECT count(*) FROM spans");
        const int traces = 300;

        // Six spans a trace (logistics and tracking, each a server span, work and a SQL call); the
        // SDK's batch exporter flushes only once every export was acknowledged.
        LogisticsTraffic.Send(host.Factory.Address, OtlpExportProtocol.HttpProtobuf, traces);

        Assert.Equal(traces * 6, await CountAsync(connection, "SELECT count(*) FROM spans") - before);
        // Nothing without its day partition, and every row decodes to a span of the example.
        Assert.Equal(0, await CountAsync(connection, "SELECT count(*) FROM spans_default"));
        using var scope = host.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<DepMapDbContext>();
        var services = (await db.Spans.AsNoTracking().ToListAsync()).Select(r => r.ToSpan().LocalService).Distinct().Order();
        Assert.Equal(["logistics", "tracking"], services);
    }

    [Fact]
    public async Task Healthz_ReachesPostgreSql_AndSaysWhenItCannot()
    {
        using var client = host.Factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);

        await using var server = new NpgsqlConnection(PostgresDatabase.ServerConnectionString());
        await server.OpenAsync();
        await ExecuteAsync(server, $"ALTER DATABASE \"{host.Database.Name}\" ALLOW_CONNECTIONS false");
        try
        {
            await ExecuteAsync(server, $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{host.Database.Name}'");
            NpgsqlConnection.ClearAllPools();

            var response = await client.GetAsync("/healthz");
            var report = await host.Factory.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.StartsWith($"The PostgreSQL database {host.Database.Name} at ", report.Entries["storage"].Description, StringComparison.Ordinal);
            Assert.Contains(" cannot be reached (", report.Entries["storage"].Description, StringComparison.Ordinal);
        }
        finally
        {
            await ExecuteAsync(server, $"ALTER DATABASE \"{host.Database.Name}\" ALLOW_CONNECTIONS true");
        }
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }
}

[Trait("Provider", "Sqlite")]
public class StorageProviderTests
{
    [Fact]
    public void Start_FailsNamingTheAcceptedProviders_WhenStorageProviderIsUnknown()
    {
        using var factory = new DepMapFactory(DepMapFactory.NewFolder(), ownsFolder: true, new() { ["Storage:Provider"] = "Oracle" });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("Storage:Provider is 'Oracle'; it must be Sqlite (the default) or PostgreSql.", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Start_UsesSqlite_WhenStorageProviderIsUnset()
    {
        using var factory = new DepMapFactory();
        using var scope = factory.Services.CreateScope();

        Assert.True(scope.ServiceProvider.GetRequiredService<DepMapDbContext>().Database.IsSqlite());
    }

    [Fact]
    public void UseDepMapPostgreSql_FindsMigrationsInThePostgreSqlAssembly()
    {
        var options = new DbContextOptionsBuilder<DepMapDbContext>().UseDepMapPostgreSql("Host=127.0.0.1;Database=unused").Options;
        using var db = new DepMapDbContext(options);

        Assert.All(db.Database.GetMigrations(), id => Assert.EndsWith("PostgreSql", id, StringComparison.Ordinal));
        Assert.NotEmpty(db.Database.GetMigrations());
    }
}
