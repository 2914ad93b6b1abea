using DepMap.Server.Features.Ingest;
using DepMap.Storage.Spans;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DepMap.Server.Hosting;

/// <summary>
/// /healthz answers 503 (Unhealthy) while DepMap cannot store what it acknowledges: a data file
/// deleted or made read-only at runtime, or the span writer's latest commit refused (disk full).
/// The process stays up and recovers by itself once the cause is gone (except a deleted file,
/// which a restart recreates): a supervisor that restarts on a failing health check gets the
/// reason in the description rather than a crash loop.
/// </summary>
internal sealed class StorageHealthCheck(SpanStore store, DepMapFiles files, SpanWriter writer) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        foreach (var path in (string[])[files.DatabasePath, store.Path])
        {
            if (!File.Exists(path))
            {
                return Task.FromResult(HealthCheckResult.Unhealthy(StorageFault.Deleted(path).Message));
            }
            try
            {
                // Opening for writing is what the filesystem refuses when the file or its mount is read-only.
                using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy(StorageFault.Of(exception, path).Message));
            }
        }
        return Task.FromResult(writer.LastFault is { } fault
            ? HealthCheckResult.Unhealthy(fault.Message)
            : HealthCheckResult.Healthy());
    }
}

/// <summary>The statistics database's path (the span file's is <see cref="SpanStore.Path"/>).</summary>
internal sealed record DepMapFiles(string DatabasePath)
{
    public static DepMapFiles From(string connectionString) => new(new SqliteConnectionStringBuilder(connectionString).DataSource);
}
