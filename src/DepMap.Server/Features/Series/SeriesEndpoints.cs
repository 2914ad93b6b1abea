using DepMap.Server.Features.Graph;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DepMap.Server.Features.Series;

/// <summary>
/// <c>GET /services/{name}/series</c> and <c>GET /edges/series?source=&amp;target=</c>: calls,
/// errors and p99 per step over a window (<c>lookback</c> or <c>from</c>/<c>to</c>, <c>step</c>
/// 1m or 1h), for the page's small charts. A name with no traffic gets a series of zeros, not a 404:
/// a chart of a quiet hour is an answer.
/// </summary>
internal static class SeriesEndpoints
{
    public static IEndpointRouteBuilder MapSeriesEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/services/{name}/series", async Task<Results<Ok<SeriesView>, ProblemHttpResult>> (
            string name, HttpRequest request, ISender sender, TimeProvider clock, CancellationToken ct) =>
        {
            var parameters = new QueryParameters(request.Query);
            Name(parameters, "name", name);
            var query = parameters.Failed ? null : SeriesQuery.Read(parameters, clock.GetUtcNow());
            return query is null
                ? QueryProblems.BadParameter(parameters.Error!)
                : TypedResults.Ok(await sender.Send(new GetServiceSeries(name, query), ct));
        });
        app.MapGet("/edges/series", async Task<Results<Ok<SeriesView>, ProblemHttpResult>> (
            HttpRequest request, ISender sender, TimeProvider clock, CancellationToken ct) =>
        {
            var parameters = new QueryParameters(request.Query);
            var source = Name(parameters, "source", parameters.Text("source"));
            var target = Name(parameters, "target", parameters.Text("target"));
            var query = parameters.Failed ? null : SeriesQuery.Read(parameters, clock.GetUtcNow());
            return query is null
                ? QueryProblems.BadParameter(parameters.Error!)
                : TypedResults.Ok(await sender.Send(new GetEdgeSeries(source!, target!, query), ct));
        });
        return app;
    }

    private static string? Name(QueryParameters parameters, string parameter, string? name)
    {
        if (parameters.Failed)
        {
            return null;
        }
        if (string.IsNullOrEmpty(name))
        {
            parameters.Fail(parameter, "is required: the name of a service (as in /graph.json)");
        }
        else if (name.Length > GraphQuery.MaxFocusLength || name.Any(char.IsControl))
        {
            parameters.Fail(parameter, $"'{QueryParameters.Shown(name)}' is not a service name (at most {GraphQuery.MaxFocusLength} characters, no control characters)");
        }
        return name;
    }
}
