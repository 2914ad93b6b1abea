using DepMap.Ingest;
using DepMap.Server.Features.Metrics;
using Mediator;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace DepMap.Server.Features.Ingest;

/// <summary>
/// The HTTP receivers: OTLP/HTTP, Zipkin v2 and Jaeger JSON. Each reads the body under the cap,
/// sends <see cref="IngestSpans"/>, and answers 2xx only once the spans are committed.
/// </summary>
internal static class IngestEndpoints
{
    private const string Protobuf = "application/x-protobuf";
    private const string Json = "application/json";

    public static IEndpointRouteBuilder MapIngestEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/traces", ExportOtlpAsync);
        // Zipkin's collector answers 202 Accepted with no body, and so does Jaeger's /api/traces.
        app.MapPost("/api/v2/spans", (HttpContext context, ISender sender, IOptions<IngestOptions> options) =>
            IngestJsonAsync(context, sender, options.Value, TraceFormat.ZipkinJson));
        app.MapPost("/api/traces", (HttpContext context, ISender sender, IOptions<IngestOptions> options) =>
            IngestJsonAsync(context, sender, options.Value, TraceFormat.JaegerJson));
        return app;
    }

    private static async Task<IResult> ExportOtlpAsync(HttpContext context, ISender sender, IOptions<IngestOptions> options)
    {
        // OTLP/HTTP: binary protobuf or the OTLP JSON mapping, answered in the request's encoding.
        TraceFormat? format = MediaType(context.Request) switch
        {
            Protobuf => TraceFormat.OtlpProtobuf,
            Json => TraceFormat.OtlpJson,
            _ => null,
        };
        if (format is null)
        {
            return IngestProblems.UnsupportedMediaType(context.Request, Protobuf, Json);
        }
        var (result, problem) = await IngestAsync(context, sender, options.Value, format.Value);
        return problem ?? OtlpExportResponse.Http(format.Value, result!);
    }

    private static async Task<IResult> IngestJsonAsync(HttpContext context, ISender sender, IngestOptions options, TraceFormat format)
    {
        // Zipkin reporters and curl users often omit the type; Zipkin's collector takes that as JSON.
        var mediaType = MediaType(context.Request);
        if (mediaType is not (Json or null))
        {
            return IngestProblems.UnsupportedMediaType(context.Request, Json);
        }
        var (result, problem) = await IngestAsync(context, sender, options, format);
        return problem ?? (result!.RejectedSpans == 0
            ? Results.StatusCode(StatusCodes.Status202Accepted)
            // Zipkin's and Jaeger's answers have no body to carry a partial refusal; this one says it.
            : Results.Json(new PartialAcceptance(result.AcceptedSpans, result.RejectedSpans, result.Message), statusCode: StatusCodes.Status202Accepted));
    }

    /// <summary>Either the committed result, or the problem to answer instead.</summary>
    private static async Task<(IngestResult? Result, IResult? Problem)> IngestAsync(
        HttpContext context, ISender sender, IngestOptions options, TraceFormat format)
    {
        var admission = context.RequestServices.GetRequiredService<IngestAdmission>();
        var metrics = context.RequestServices.GetRequiredService<DepMapMetrics>();
        if (admission.DelayRefusal() is { } behind)
        {
            metrics.PayloadRefused(format, "busy");
            return (null, IngestProblems.Behind(context, behind, admission.RefusedRetryAfterSeconds(context.Request.ContentLength ?? 0)));
        }
        using var body = await RequestBody.ReadAsync(context.Request, options.MaxBodyBytes, admission, context.RequestAborted);
        if (body.Status != BodyStatus.Read)
        {
            metrics.PayloadRefused(format, body.Status switch
            {
                BodyStatus.Busy => "budget",
                BodyStatus.TooLarge => "too_large",
                BodyStatus.BadGzip => "bad_gzip",
                _ => "unsupported_encoding",
            });
            return (null, body.Status == BodyStatus.Busy
                ? IngestProblems.Busy(context, body.Problem!, admission.RefusedRetryAfterSeconds(context.Request.ContentLength ?? 0))
                : IngestProblems.ForBody(body));
        }
        var result = await sender.Send(new IngestSpans(format, body.Payload), context.RequestAborted);
        return result.Status == IngestStatus.Committed
            ? (result, null)
            : (null, IngestProblems.ForIngest(context, result, options));
    }

    private static string? MediaType(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) && parsed.MediaType.HasValue
            ? parsed.MediaType.Value!.ToLowerInvariant()
            : null;
}

/// <summary>The body of a 202 when some spans of a Zipkin or Jaeger payload were refused: how many, and the first reason.</summary>
internal sealed record PartialAcceptance(int AcceptedSpans, int RejectedSpans, string? Message);
