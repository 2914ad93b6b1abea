using DepMap.Ingest;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Mediator;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Features.Ingest;

/// <summary>
/// OTLP/gRPC's <c>TraceService/Export</c>, bound with a raw byte marshaller: the request bytes go
/// straight to the same decoder as OTLP/HTTP, so no Google.Protobuf message is built or kept.
/// </summary>
internal sealed class OtlpTraceService(ISender sender, IOptions<IngestOptions> options)
{
    public async Task<byte[]> ExportAsync(byte[] request, ServerCallContext context)
    {
        // Grpc.AspNetCore has read the whole message by now (GrpcAdmission reserved it).
        context.GetHttpContext().Features.Get<BodyReservation>()?.MarkRead();
        var result = await sender.Send(new IngestSpans(TraceFormat.OtlpProtobuf, request), context.CancellationToken);
        return result.Status switch
        {
            IngestStatus.Committed => OtlpExportResponse.Protobuf(result),
            IngestStatus.Malformed => throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, result.Message ?? "")),
            IngestStatus.QueueFull => throw Retryable(Code.ResourceExhausted, result.Message),
            _ => throw Retryable(Code.Unavailable, result.Message),
        };
    }

    // OTLP exporters retry RESOURCE_EXHAUSTED only when the status carries RetryInfo, and then
    // wait as long as it says: the gRPC form of Retry-After.
    private RpcException Retryable(Code code, string? message) => new Google.Rpc.Status
    {
        Code = (int)code,
        Message = message ?? "",
        Details =
        {
            Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(options.Value.RetryAfterSeconds)) }),
        },
    }.ToRpcException();
}

internal sealed class OtlpTraceServiceMethods : IServiceMethodProvider<OtlpTraceService>
{
    private static readonly Marshaller<byte[]> RawBytes = Marshallers.Create(bytes => bytes, bytes => bytes);

    private static readonly Method<byte[], byte[]> Export = new(
        MethodType.Unary, "opentelemetry.proto.collector.trace.v1.TraceService", "Export", RawBytes, RawBytes);

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<OtlpTraceService> context) =>
        context.AddUnaryMethod(Export, [], (service, request, callContext) => service.ExportAsync(request, callContext));
}
