using DepMap.ModelImport;
using DepMap.Rendering;
using DepMap.Server.Features.Graph;
using DepMap.Server.Features.Ingest;
using DepMap.Server.Features.Snapshots;
using DepMap.Storage.Models;
using Mediator;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Features.Conformance;

/// <summary>
/// Declared against observed architecture: <c>POST /models</c> (and <c>/models/rules</c>,
/// <c>/models/mapping</c>) store the files, <c>GET /conformance.json|.svg</c> checks the newest
/// model against a window or a snapshot, <c>GET /graph.backstage.yaml</c> and <c>/graph.dsl</c>
/// export a window's graph as a model.
/// </summary>
internal static class ConformanceEndpoints
{
    public static IEndpointRouteBuilder MapConformanceEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/models", (HttpRequest request, ISender sender, IOptions<ConformanceOptions> options) =>
            StoreAsync(DeclaredModelRow.ModelKind, request, sender, options.Value));
        app.MapPost("/models/rules", (HttpRequest request, ISender sender, IOptions<ConformanceOptions> options) =>
            StoreAsync(DeclaredModelRow.RulesKind, request, sender, options.Value));
        app.MapPost("/models/mapping", (HttpRequest request, ISender sender, IOptions<ConformanceOptions> options) =>
            StoreAsync(DeclaredModelRow.MappingKind, request, sender, options.Value));
        app.MapGet("/models", async (ISender sender, CancellationToken ct) => Results.Ok(await sender.Send(new GetModels(), ct)));
        app.MapGet("/conformance.{format}", CheckAsync);
        app.MapGet("/graph.backstage.yaml", (HttpRequest request, ISender sender, TimeProvider clock) =>
            ExportAsync(request, sender, clock, backstage: true));
        app.MapGet("/graph.dsl", (HttpRequest request, ISender sender, TimeProvider clock) =>
            ExportAsync(request, sender, clock, backstage: false));
        return app;
    }

    private static async Task<IResult> StoreAsync(string kind, HttpRequest request, ISender sender, ConformanceOptions options)
    {
        var query = new QueryParameters(request.Query);
        var name = query.Text("name");
        if (query.Error is { } error)
        {
            return QueryProblems.BadParameter(error);
        }
        // Uploads share ingest's budget of bytes in flight, so they too cannot hold unbounded memory.
        var admission = request.HttpContext.RequestServices.GetRequiredService<IngestAdmission>();
        using var body = await RequestBody.ReadAsync(request, options.MaxUploadBytes, admission, request.HttpContext.RequestAborted);
        if (body.Status == BodyStatus.Busy)
        {
            request.HttpContext.Response.Headers.RetryAfter = "1";
            return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Busy", detail: body.Problem);
        }
        if (body.Status != BodyStatus.Read)
        {
            return Results.Problem(statusCode: body.Status == BodyStatus.TooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest,
                title: "Unusable body", detail: body.Problem);
        }
        if (body.Length == 0)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: $"Invalid {kind} file",
                detail: $"body: empty; send the {kind} file as the request body");
        }
        try
        {
            var stored = await sender.Send(new StoreModel(kind, name, body.Payload.ToArray()), request.HttpContext.RequestAborted);
            return Results.Created($"/models/{stored.Id}", stored);
        }
        catch (ModelFormatException e)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: $"Invalid {kind} file", detail: $"body: {e.Message}");
        }
    }

    private static async Task<IResult> CheckAsync(string format, HttpRequest request, ISender sender, TimeProvider clock)
    {
        if (format is not ("json" or "svg"))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown format",
                detail: $"format '{QueryParameters.Shown(format)}': conformance is .json or .svg");
        }
        var query = new QueryParameters(request.Query);
        var model = query.Integer("model", 1, long.MaxValue, "a model id");
        var snapshot = query.Integer("snapshot", 1, long.MaxValue, "a snapshot id");
        var window = snapshot is null ? QueryWindow.Read(query, clock.GetUtcNow()) : null;
        if (query.Error is { } error)
        {
            return QueryProblems.BadParameter(error);
        }
        try
        {
            var answer = await sender.Send(new CheckConformance(model, new DiffSide(snapshot, window), format == "svg"), request.HttpContext.RequestAborted);
            return answer.Body is { } body
                ? Results.File(body, format == "svg" ? "image/svg+xml" : "application/json")
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Nothing to check", detail: answer.Missing);
        }
        catch (ModelFormatException e)
        {
            // A stored upload was read when it came in: only a file named in settings can fail here.
            return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Unusable configured file", detail: e.Message);
        }
        catch (GraphvizNotFoundException e)
        {
            return QueryProblems.GraphvizMissing(e);
        }
        catch (GraphvizException e)
        {
            return QueryProblems.GraphvizFailed(e);
        }
    }

    private static async Task<IResult> ExportAsync(HttpRequest request, ISender sender, TimeProvider clock, bool backstage)
    {
        var query = new QueryParameters(request.Query);
        var window = QueryWindow.Read(query, clock.GetUtcNow());
        return query.Error is { } error
            ? QueryProblems.BadParameter(error)
            : Results.File(await sender.Send(new ExportGraph(window!.Value, backstage), request.HttpContext.RequestAborted),
                backstage ? "application/yaml; charset=utf-8" : "text/plain; charset=utf-8");
    }
}
