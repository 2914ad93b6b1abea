using DepMap.Server.Features.Ingest;
using DepMap.Storage.PostgreSql;
using DepMap.Storage.Spans;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace DepMap.Server.Hosting;

/// <summary>
/// /healthz answers 503 (Unhealthy) while DepMap cannot store what it acknowledges: a data file
/// deleted or made read-only at runtime, or the span writer's latest commit refused (disk full).
/// The process stays up and recovers by itself once the cause is gone (except a deleted file,
/// which a restart recreates): a supervisor that restarts on a failing health check gets the
/// reason in the description rather than a crash loop. On PostgreSQL the check is a round trip to
/// the server instead of the files.
/// </summary>
internal sealed class StorageHealthCheck(IServiceProvider services, SpanWriter writer) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var reachable = services.GetService<DepMapFiles>() is { } sqlite
            ? CheckFiles(sqlite, services.GetRequiredService<SpanStore>())
            : await CheckServerAsync(services.GetRequiredService<PostgreSqlStore>(), cancellationToken);
        return reachable ?? (writer.LastFault is { } fault
            ? HealthCheckResult.Unhealthy(fault.Message)
            : HealthCheckResult.Healthy());
    }

    private static async Task<HealthCheckResult?> CheckServerAsync(PostgreSqlStore database, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return null;
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy(PostgreSqlFaults.Of(exception, database.ConnectionString).Message);
        }
    }

    private static HealthCheckResult? CheckFiles(DepMapFiles files, SpanStore store)
    {
        foreach (var path in (string[])[files.DatabasePath, store.Path])
        {
            if (!File.Exists(path))
            {
                return HealthCheckResult.Unhealthy(StorageFault.Deleted(path).Message);
            }
            try
            {
                // Opening for writing is what the filesystem refuses when the file or its mount is read-only.
                using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                return HealthCheckResult.Unhealthy(StorageFault.Of(exception, path).Message);
            }
        }
        return null;
    }
}

/// <summary>The statistics database's path (the span file's is <see cref="SpanStore.Path"/>).</summary>
internal sealed record DepMapFiles(string DatabasePath)
{
    public static DepMapFiles From(string connectionString) => new(new SqliteConnectionStringBuilder(connectionString).DataSource);
}
