using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using DepMap.Ingest;
using DepMap.Server.Features.Metrics;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Features.Ingest;

/// <summary>
/// <see cref="IngestAdmission"/> for OTLP/gRPC, in front of Grpc.AspNetCore, which reads a whole
/// message before any handler runs: the message's 5-byte prefix declares its length, so the
/// reservation is taken (or the call refused) after five bytes, not after the message. A server
/// too far behind refuses the call before even those.
/// </summary>
internal static class GrpcAdmission
{
    public static RequestDelegate Wrap(RequestDelegate next) => async context =>
    {
        var admission = context.RequestServices.GetRequiredService<IngestAdmission>();
        var options = context.RequestServices.GetRequiredService<IOptions<IngestOptions>>().Value;
        var metrics = context.RequestServices.GetRequiredService<DepMapMetrics>();
        if (admission.DelayRefusal() is { } behind)
        {
            metrics.PayloadRefused(TraceFormat.OtlpProtobuf, "busy");
            Refuse(context.Response, admission.RefusedRetryAfterSeconds(context.Request.ContentLength ?? 0), behind);
            return;
        }
        var reader = context.Request.BodyReader;
        var read = await reader.ReadAtLeastAsync(5, context.RequestAborted);
        var prefix = read.Buffer.Length >= 5 ? read.Buffer.Slice(0, 5).ToArray() : null;
        // Nothing consumed: gRPC reads the same bytes again.
        reader.AdvanceTo(read.Buffer.Start);
        // A short or oversize message is gRPC's to refuse, with its own status.
        long length = prefix is null ? -1 : BinaryPrimitives.ReadUInt32BigEndian(prefix.AsSpan(1));
        if (length < 0 || length > options.MaxBodyBytes)
        {
            await next(context);
            return;
        }
        using var reservation = admission.TryReserve(length);
        if (reservation is null)
        {
            metrics.PayloadRefused(TraceFormat.OtlpProtobuf, "budget");
            Refuse(context.Response, admission.RefusedRetryAfterSeconds(length),
                $"Ingest is holding its limit of {admission.Capacity} bytes of request bodies (setting Ingest:MaxBufferedBytes); retry later.");
            return;
        }
        context.Features.Set(reservation);
        await next(context);
    };

    // A trailers-only answer, as Grpc.AspNetCore writes one for an error before any message:
    // RESOURCE_EXHAUSTED with RetryInfo, which OTLP exporters retry after the delay it gives.
    private static void Refuse(Microsoft.AspNetCore.Http.HttpResponse response, int retryAfterSeconds, string message)
    {
        var status = new Google.Rpc.Status
        {
            Code = (int)Code.ResourceExhausted,
            Message = message,
            Details = { Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(retryAfterSeconds)) }) },
        };
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)Code.ResourceExhausted).ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(message);
        response.Headers["grpc-status-details-bin"] = Convert.ToBase64String(status.ToByteArray());
    }
}
