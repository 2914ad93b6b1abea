using Mediator;

namespace DepMap.Server.Features.Health;

internal static class HealthEndpoints
{
    public static IServiceCollection AddHealth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HealthOptions>()
            .Bind(configuration.GetSection("Health"))
            .Validate(o => o.MaxAggregationLagSeconds > 0, "Health:MaxAggregationLagSeconds must be positive.")
            .ValidateOnStart();
        // /healthz: unhealthy while DepMap cannot store what it acknowledges (see StorageHealthCheck).
        services.AddHealthChecks().AddCheck<DepMap.Server.Hosting.StorageHealthCheck>("storage");
        return services;
    }

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        // Liveness: 503 while storage refuses what ingest would acknowledge (StorageHealthCheck).
        // Readiness adds whether the instance can do the rest of its work (lag, dot).
        app.MapHealthChecks("/healthz");
        app.MapGet("/readyz", async Task<IResult> (ISender sender, CancellationToken cancellationToken) =>
            {
                var readiness = await sender.Send(new GetReadiness(), cancellationToken);
                return readiness.Ready
                    ? TypedResults.Ok(readiness)
                    : TypedResults.Json(readiness, statusCode: StatusCodes.Status503ServiceUnavailable);
            })
            .Produces<Readiness>(StatusCodes.Status200OK)
            .Produces<Readiness>(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Readiness: storage reachable, aggregation lag under Health:MaxAggregationLagSeconds, Graphviz dot present; 503 when any fails");
        return app;
    }
}
