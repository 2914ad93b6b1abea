using DepMap.Server.Features.Graph;
using DepMap.Server.Hosting;
using Mediator;

namespace DepMap.Server.Features.Aggregation;

internal static class AggregationEndpoints
{
    public static IEndpointRouteBuilder MapAggregationEndpoints(this IEndpointRouteBuilder app)
    {
        // The same request as the recurring job; flush=true links every pending trace now
        // (tests, scripts, before a shutdown) instead of waiting for the settle time.
        app.MapPost("/api/aggregate", async (HttpRequest request, ISender sender, CancellationToken cancellationToken) =>
        {
            // Read by hand: a bound bool answers flush=maybe with an empty 400.
            var query = new QueryParameters(request.Query);
            var flush = query.Text("flush") switch
            {
                null => false,
                var text when bool.TryParse(text, out var value) => value,
                var text => Fail(query, text),
            };
            return query.Error is { } error
                ? QueryProblems.BadParameter(error)
                : Results.Ok(await sender.Send(new AggregateSpans(flush), cancellationToken));
        }).RequireAdmin("Running the aggregation");
        return app;
    }

    private static bool Fail(QueryParameters query, string text)
    {
        query.Fail("flush", $"'{QueryParameters.Shown(text)}' is not true or false");
        return false;
    }
}
