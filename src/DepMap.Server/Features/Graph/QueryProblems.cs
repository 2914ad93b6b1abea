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

    /// <summary>Every Graphviz slot is taken (<see cref="GraphvizBusyException"/>): 503 with Retry-After.</summary>
    public static ProblemHttpResult GraphvizBusy(GraphvizBusyException exception, HttpResponse response)
    {
        response.Headers.RetryAfter = Seconds(exception.RetryAfter);
        return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Graphviz is busy", detail: exception.Message);
    }

    /// <summary>The same 503 for endpoints that answer <see cref="IResult"/>.</summary>
    public static IResult GraphvizBusy(GraphvizBusyException exception) => new WithRetryAfter(
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Graphviz is busy", detail: exception.Message),
        exception.RetryAfter);

    public static ProblemHttpResult GraphvizFailed(GraphvizException exception) => TypedResults.Problem(
        statusCode: StatusCodes.Status500InternalServerError,
        title: "Graphviz failed",
        detail: exception.Message);

    private static string Seconds(TimeSpan span) => Math.Ceiling(span.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private sealed class WithRetryAfter(IResult problem, TimeSpan retryAfter) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = Seconds(retryAfter);
            return problem.ExecuteAsync(httpContext);
        }
    }
}
