using DepMap.Server.Features.Graph;
using Mediator;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DepMap.Server.Features.Services;

/// <summary>
/// <c>GET /services</c>, <c>/services/{name}</c> and the reliability ranking
/// <c>/services/ranking</c> (JSON) and <c>/services/ranking.csv</c>, each over a window
/// (<c>lookback</c> or <c>from</c>/<c>to</c>, default the last hour). The ranking routes are
/// literal, so they win over <c>{name}</c>.
/// </summary>
internal static class ServiceEndpoints
{
    public static IEndpointRouteBuilder MapServiceEndpoints(this IEndpointRouteBuilder app)
    {
        var services = app.MapGroup("/services");
        services.MapGet("", GetServicesAsync);
        services.MapGet("/ranking", GetRankingAsync);
        services.MapGet("/ranking.csv", GetRankingCsvAsync);
        services.MapGet("/{name}", GetServiceAsync);
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<ServiceView>>, ProblemHttpResult>> GetServicesAsync(
        HttpRequest request, ISender sender, TimeProvider clock, CancellationToken cancellationToken)
    {
        var parameters = new QueryParameters(request.Query);
        if (QueryWindow.Read(parameters, clock.GetUtcNow()) is not { } window)
        {
            return QueryProblems.BadParameter(parameters.Error!);
        }
        return TypedResults.Ok(await sender.Send(new GetServices(window), cancellationToken));
    }

    private static async Task<Results<Ok<ServiceDetail>, ProblemHttpResult>> GetServiceAsync(
        string name, HttpRequest request, ISender sender, TimeProvider clock, CancellationToken cancellationToken)
    {
        var parameters = new QueryParameters(request.Query);
        name = DecodedName(request, name);
        if (name.Length > GraphQuery.MaxFocusLength || name.Any(char.IsControl))
        {
            parameters.Fail("name", $"'{QueryParameters.Shown(name)}' is not a service name (at most {GraphQuery.MaxFocusLength} characters, no control characters)");
        }
        var window = parameters.Failed ? null : QueryWindow.Read(parameters, clock.GetUtcNow());
        if (window is null)
        {
            return QueryProblems.BadParameter(parameters.Error!);
        }
        if (await sender.Send(new GetService(name, window.Value), cancellationToken) is not { } detail)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Unknown service",
                detail: $"name: no service '{QueryParameters.Shown(name)}' sent or received calls between "
                    + $"{QueryWindow.Iso(window.Value.From)} and {QueryWindow.Iso(window.Value.To)}");
        }
        return TypedResults.Ok(detail);
    }

    /// <summary>
    /// The name as the client escaped it. The server decodes every escape in the path but %2F (so a
    /// name with '/' arrives as "a%2Fb" and one with "%2F" in it would read the same): the name is
    /// taken from the request target as sent and unescaped once, so every listed name is reachable.
    /// </summary>
    private static string DecodedName(HttpRequest request, string routed)
    {
        const string Prefix = "/services/";
        var target = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(target) || !target.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return routed.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        }
        var end = target.IndexOf('?', StringComparison.Ordinal);
        return Uri.UnescapeDataString(end < 0 ? target[Prefix.Length..] : target[Prefix.Length..end]);
    }

    private static async Task<Results<Ok<IReadOnlyList<RankingEntry>>, ProblemHttpResult>> GetRankingAsync(
        HttpRequest request, ISender sender, TimeProvider clock, CancellationToken cancellationToken)
    {
        var parameters = new QueryParameters(request.Query);
        if (QueryWindow.Read(parameters, clock.GetUtcNow()) is not { } window)
        {
            return QueryProblems.BadParameter(parameters.Error!);
        }
        var ranking = await sender.Send(new GetRanking(window), cancellationToken);
        return TypedResults.Ok<IReadOnlyList<RankingEntry>>([.. ranking.Select((ranked, i) => RankingEntry.Of(i + 1, ranked))]);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetRankingCsvAsync(
        HttpRequest request, ISender sender, TimeProvider clock, CancellationToken cancellationToken)
    {
        var parameters = new QueryParameters(request.Query);
        if (QueryWindow.Read(parameters, clock.GetUtcNow()) is not { } window)
        {
            return QueryProblems.BadParameter(parameters.Error!);
        }
        var ranking = await sender.Send(new GetRanking(window), cancellationToken);
        // header=present: RFC 4180's parameter, so spreadsheet imports take the first row as names.
        return TypedResults.File(RankingCsv.Write(ranking), "text/csv; charset=utf-8; header=present", "ranking.csv");
    }
}
