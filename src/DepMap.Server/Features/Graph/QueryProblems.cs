using DepMap.Rendering;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DepMap.Server.Features.Graph;

/// <summary>The query API's refusals, as ProblemDetails whose detail names the parameter and the reason.</summary>
internal static class QueryProblems
{
    public static ProblemHttpResult BadParameter(ParameterError error) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "Invalid query parameter",
        detail: error.Detail,
        extensions: new Dictionary<string, object?> { ["parameter"] = error.Parameter });

    public static ProblemHttpResult GraphvizMissing(GraphvizNotFoundException exception) => TypedResults.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "Graphviz is not installed",
        detail: exception.Message);

    public static ProblemHttpResult GraphvizFailed(GraphvizException exception) => TypedResults.Problem(
        statusCode: StatusCodes.Status500InternalServerError,
        title: "Graphviz failed",
        detail: exception.Message);
}
