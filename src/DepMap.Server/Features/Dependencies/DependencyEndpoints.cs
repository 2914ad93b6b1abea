using DepMap.Core.Linking;
using DepMap.Core.Writers;
using DepMap.Server.Features.Graph;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DepMap.Server.Features.Dependencies;

/// <summary>
/// The dependency endpoints of Zipkin (<c>/api/v2/dependencies</c>) and Jaeger query
/// (<c>/api/dependencies</c>), so Zipkin Lens and Jaeger UI can use DepMap as their dependency source.
/// </summary>
internal static class DependencyEndpoints
{
    public static IEndpointRouteBuilder MapDependencyEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v2/dependencies", GetZipkinAsync);
        app.MapGet("/api/dependencies", GetJaegerAsync);
        return app;
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetZipkinAsync(
        HttpRequest request, ISender sender, TimeProvider clock, CancellationToken cancellationToken)
    {
        var parameters = new QueryParameters(request.Query);
        if (DependencyWindow.Read(parameters, clock.GetUtcNow(), endTsRequired: true) is not { } window)
        {
            return QueryProblems.BadParameter(parameters.Error!);
        }
        var links = await sender.Send(new GetDependencies(window), cancellationToken);
        return TypedResults.File(ZipkinLinksWriter.WriteUtf8(links), "application/json");
    }

    private static async Task<Results<Ok<JaegerResponse>, ProblemHttpResult>> GetJaegerAsync(
        HttpRequest request, ISender sender, TimeProvider clock, CancellationToken cancellationToken)
    {
        var parameters = new QueryParameters(request.Query);
        var window = DependencyWindow.Read(parameters, clock.GetUtcNow(), endTsRequired: false);
        var service = parameters.Text("service");
        if (service is not null && (service.Length > GraphQuery.MaxFocusLength || service.Any(char.IsControl)))
        {
            parameters.Fail("service", $"'{QueryParameters.Shown(service)}' is not a service name (at most {GraphQuery.MaxFocusLength} characters, no control characters)");
        }
        if (parameters.Error is { } error)
        {
            return JaegerProblem(error);
        }
        var links = await sender.Send(new GetDependencies(window!.Value), cancellationToken);
        return TypedResults.Ok(JaegerResponse.Of(links, string.IsNullOrEmpty(service) ? null : service));
    }

    // Jaeger UI shows errors[0].msg of its structured response, so the problem carries that too.
    private static ProblemHttpResult JaegerProblem(ParameterError error)
    {
        var problem = QueryProblems.BadParameter(error);
        problem.ProblemDetails.Extensions["errors"] = new[] { new JaegerError(StatusCodes.Status400BadRequest, error.Detail) };
        return problem;
    }

    internal sealed record JaegerError(int Code, string Msg);

    internal sealed record JaegerLink(string Parent, string Child, long CallCount);

    /// <summary>Jaeger query's structuredResponse around its UI dependency links.</summary>
    internal sealed record JaegerResponse(IReadOnlyList<JaegerLink> Data, int Total, int Limit, int Offset, IReadOnlyList<JaegerError>? Errors)
    {
        /// <summary>Like Jaeger: optionally only the links touching <paramref name="service"/>, one per parent and child.</summary>
        public static JaegerResponse Of(IEnumerable<DependencyLink> links, string? service) => new(
            [.. links
                .Where(l => service is null || l.Parent == service || l.Child == service)
                .GroupBy(l => (l.Parent, l.Child))
                .Select(g => new JaegerLink(g.Key.Parent, g.Key.Child, g.Sum(l => l.CallCount)))
                .OrderBy(l => l.Parent, StringComparer.Ordinal)
                .ThenBy(l => l.Child, StringComparer.Ordinal)],
            0, 0, 0, null);
    }
}
