using DepMap.Rendering;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DepMap.Server.Features.Graph;

/// <summary>
/// <c>GET /graph.json|.dot|.svg|.mmd</c>: the service graph of a window (<c>lookback</c> or
/// <c>from</c>/<c>to</c>), optionally focused (<c>focus</c>, <c>depth</c>, <c>direction</c>) and
/// thinned (<c>minCalls</c>), optionally with each <c>service.namespace</c> as one node (<c>group=namespace</c>).
/// </summary>
internal static class GraphEndpoints
{
    public static IEndpointRouteBuilder MapGraphEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/graph.json", (HttpRequest request, ISender sender, TimeProvider clock, DefaultViewPrerenderer prerenderer) =>
            GetAsync(request, sender, clock, prerenderer, GraphFormat.Json));
        app.MapGet("/graph.dot", (HttpRequest request, ISender sender, TimeProvider clock, DefaultViewPrerenderer prerenderer) =>
            GetAsync(request, sender, clock, prerenderer, GraphFormat.Dot));
        app.MapGet("/graph.svg", (HttpRequest request, ISender sender, TimeProvider clock, DefaultViewPrerenderer prerenderer) =>
            GetAsync(request, sender, clock, prerenderer, GraphFormat.Svg));
        app.MapGet("/graph.mmd", (HttpRequest request, ISender sender, TimeProvider clock, DefaultViewPrerenderer prerenderer) =>
            GetAsync(request, sender, clock, prerenderer, GraphFormat.Mermaid));
        return app;
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetAsync(
        HttpRequest request, ISender sender, TimeProvider clock, DefaultViewPrerenderer prerenderer, GraphFormat format)
    {
        var now = clock.GetUtcNow();
        var parameters = new QueryParameters(request.Query);
        if (GraphQuery.Read(parameters, now) is not { } query)
        {
            return QueryProblems.BadParameter(parameters.Error!);
        }
        if (format == GraphFormat.Svg && query.IsDefaultView(now))
        {
            prerenderer.Watched(now);
        }
        try
        {
            var document = await sender.Send(new GetGraph(query, format), request.HttpContext.RequestAborted);
            if (document.FocusMissing)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown service",
                    detail: $"focus: no service '{QueryParameters.Shown(query.Focus!)}' sent or received calls between "
                        + $"{QueryWindow.Iso(query.Window.From)} and {QueryWindow.Iso(query.Window.To)}",
                    extensions: new Dictionary<string, object?> { ["parameter"] = "focus" });
            }
            if (document.Layout is { } layout)
            {
                request.HttpContext.Response.Headers["X-DepMap-Layout"] = layout.ToString().ToLowerInvariant();
            }
            return TypedResults.File(document.Body, format.ContentType());
        }
        catch (GraphvizNotFoundException e)
        {
            return QueryProblems.GraphvizMissing(e);
        }
        catch (GraphvizBusyException e)
        {
            return QueryProblems.GraphvizBusy(e, request.HttpContext.Response);
        }
        catch (GraphvizException e)
        {
            return QueryProblems.GraphvizFailed(e);
        }
    }
}
