using Mediator;

namespace DepMap.Server.Features.Aggregation;

internal static class AggregationEndpoints
{
    public static IEndpointRouteBuilder MapAggregationEndpoints(this IEndpointRouteBuilder app)
    {
        // The same request as the recurring job; flush=true links every pending trace now
        // (tests, scripts, before a shutdown) instead of waiting for the settle time.
        app.MapPost("/api/aggregate", async (ISender sender, bool? flush, CancellationToken cancellationToken) =>
            TypedResults.Ok(await sender.Send(new AggregateSpans(flush ?? false), cancellationToken)));
        return app;
    }
}
