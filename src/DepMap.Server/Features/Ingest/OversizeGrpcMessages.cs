using Microsoft.Extensions.Options;

namespace DepMap.Server.Features.Ingest;

/// <summary>
/// gRPC answers a message over its size cap with RESOURCE_EXHAUSTED, which OTLP exporters treat as
/// "retry later", so a batch that can never fit is sent again forever. This rewrites that one
/// answer to INVALID_ARGUMENT (not retryable: the exporter drops the batch and logs why) before
/// the response starts. Overload keeps RESOURCE_EXHAUSTED with its RetryInfo.
/// </summary>
internal static class OversizeGrpcMessages
{
    private const string OverCap = "exceeds the maximum configured message size";

    public static void UseOversizeGrpcMessages(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) != true)
        {
            await next(context);
            return;
        }
        context.Response.OnStarting(() =>
        {
            // Refused before any message is sent, so the status is in the headers (trailers-only).
            var headers = context.Response.Headers;
            if (headers["grpc-status"] == "8" && headers["grpc-message"].ToString().Contains(OverCap, StringComparison.OrdinalIgnoreCase))
            {
                var max = context.RequestServices.GetRequiredService<IOptions<IngestOptions>>().Value.MaxBodyBytes;
                headers["grpc-status"] = "3";
                headers["grpc-message"] = Uri.EscapeDataString(
                    $"The message is larger than Ingest:MaxBodyBytes ({max} bytes after decompression) and can never be accepted; send smaller batches.");
            }
            return Task.CompletedTask;
        });
        await next(context);
    });
}
