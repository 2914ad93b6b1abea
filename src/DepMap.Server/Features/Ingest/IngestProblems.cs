namespace DepMap.Server.Features.Ingest;

/// <summary>
/// Refusals as ProblemDetails whose detail names the problem. Bad input is always a 4xx; 429 and
/// 503 carry Retry-After because OTLP exporters and Zipkin reporters retry exactly those.
/// </summary>
internal static class IngestProblems
{
    public static IResult UnsupportedMediaType(HttpRequest request, params string[] supported) => Results.Problem(
        statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported media type",
        detail: $"Content-Type '{request.ContentType ?? "(none)"}' is not supported here. Supported: {string.Join(", ", supported)}.");

    public static IResult ForBody(RequestBody body) => body.Status switch
    {
        BodyStatus.TooLarge => Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large", detail: body.Problem),
        BodyStatus.UnsupportedEncoding => Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported content encoding", detail: body.Problem),
        _ => Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed body", detail: body.Problem),
    };

    /// <summary>The byte budget is taken (<see cref="IngestAdmission"/>): refused before the body was read.</summary>
    public static IResult Busy(HttpContext context, string detail, int retryAfterSeconds) =>
        TooManyRequests(context, "Too many request bodies in flight", detail, retryAfterSeconds);

    /// <summary>Ingest is too far behind to answer in time (<see cref="IngestAdmission.DelayRefusal"/>): refused before the body was read.</summary>
    public static IResult Behind(HttpContext context, string detail, int retryAfterSeconds) =>
        TooManyRequests(context, "Ingest is behind", detail, retryAfterSeconds);

    private static IResult TooManyRequests(HttpContext context, string title, string detail, int retryAfterSeconds)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: title, detail: detail);
    }

    public static IResult ForIngest(HttpContext context, IngestResult result, IngestOptions options)
    {
        if (result.Status == IngestStatus.Malformed)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed payload", detail: result.Message);
        }
        context.Response.Headers.RetryAfter = options.RetryAfterSeconds.ToString();
        return result.Status == IngestStatus.QueueFull
            ? Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many spans queued", detail: result.Message)
            : Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Storage unavailable", detail: result.Message);
    }
}
