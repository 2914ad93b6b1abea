using DepMap.Server.Features.Ingest;
using DepMap.Storage.Aggregation;
using Prometheus;

namespace DepMap.Server.Features.Metrics;

/// <summary>
/// <c>GET /metrics</c> in Prometheus' text format, by prometheus-net over a registry of this host's
/// own (never the library's static default registry, which would leak series between test hosts).
/// </summary>
internal static partial class MetricsSetup
{
    public static IServiceCollection AddDepMapMetrics(this IServiceCollection services)
    {
        services.AddSingleton(_ =>
        {
            var registry = Prometheus.Metrics.NewCustomRegistry();
            // process_* and dotnet_*: memory, CPU, GC and thread pool of this process.
            DotNetStats.Register(registry);
            return registry;
        });
        services.AddSingleton<DepMapMetrics>();
        services.AddSingleton<ServiceGraphMetrics>();
        services.AddScoped<Mediator.IPipelineBehavior<Snapshots.TakeSnapshot, Snapshots.SnapshotView>, SnapshotOutcomes>();
        return services;
    }

    public static IEndpointRouteBuilder MapMetricsEndpoint(this IEndpointRouteBuilder app)
    {
        var services = app.ServiceProvider;
        var metrics = services.GetRequiredService<DepMapMetrics>();
        services.GetRequiredService<ServiceGraphMetrics>();
        var writer = services.GetRequiredService<SpanWriter>();
        var scopes = services.GetRequiredService<IServiceScopeFactory>();
        var time = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MetricsSetup));
        // SQLite's native library, as Microsoft.Data.Sqlite loads it (idempotent): on PostgreSQL no connection may have yet.
        SQLitePCL.Batteries_V2.Init();
        metrics.Registry.AddBeforeCollectCallback(async cancellationToken =>
        {
            metrics.QueueDepth.Set(writer.PendingSpans);
            metrics.SqliteMemory.Set(SQLitePCL.raw.sqlite3_memory_used());
            metrics.GcCommitted.Set(GC.GetGCMemoryInfo().TotalCommittedBytes);
            try
            {
                using var scope = scopes.CreateScope();
                var backlog = await scope.ServiceProvider.GetRequiredService<IAggregationEngine>().ReadBacklogAsync(cancellationToken);
                metrics.AggregationLag.Set(backlog.LagSeconds(time.GetUtcNow().ToUnixTimeMilliseconds()));
                metrics.TracesWaiting.Set(backlog.TracesWaiting);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The scrape still answers with everything else; /readyz reports the storage.
                LogBacklogUnread(logger, exception);
            }
        });

        app.MapGet("/metrics", async (HttpContext context, CollectorRegistry registry) =>
            {
                context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                await registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
            })
            .Produces(StatusCodes.Status200OK, contentType: "text/plain")
            .WithSummary("Prometheus text exposition: Tempo's service-graph series and DepMap's own (docs/metrics.md)");
        return app;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The aggregation backlog could not be read for /metrics")]
    private static partial void LogBacklogUnread(ILogger logger, Exception exception);
}
