using Grpc.Core;
using Grpc.Net.Client;

namespace DepMap.Server.Tests.Features.Ingest;

[Collection(GrpcCollection.Name)]
public class OtlpGrpcIngestTests(GrpcDepMapFactory factory)
{
    private static readonly Marshaller<byte[]> RawBytes = Marshallers.Create(b => b, b => b);
    private static readonly Method<byte[], byte[]> Export = new(
        MethodType.Unary, "opentelemetry.proto.collector.trace.v1.TraceService", "Export", RawBytes, RawBytes);

    [Fact]
    public async Task Export_ReturnsInvalidArgumentNamingTheByte_WhenProtobufIsMalformed()
    {
        using var channel = GrpcChannel.ForAddress(factory.Address);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            channel.CreateCallInvoker().AsyncUnaryCall(Export, null, new CallOptions(), [0x0A, 0x80]).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("byte 1: truncated varint in ExportTraceServiceRequest", error.Status.Detail);
    }

    [Fact]
    public async Task Export_ReturnsPartialSuccess_WhenSomeSpansAreRejected()
    {
        var trace = Payloads.NewTraceIdLow();
        using var channel = GrpcChannel.ForAddress(factory.Address);
        var request = OtlpProto.Request("orders",
            OtlpProto.Span(OtlpProto.TraceId(0, trace), 1, "kept", kind: 3),
            OtlpProto.Span(OtlpProto.TraceId(0, trace), 0, "no span id", kind: 3));

        var response = await channel.CreateCallInvoker().AsyncUnaryCall(Export, null, new CallOptions(), request).ResponseAsync;

        // partial_success { rejected_spans: 1, ... }: field 1, then field 1 varint 1.
        Assert.Equal([0x0A], response[..1]);
        Assert.Equal([0x08, 0x01], response[2..4]);
        Assert.Single(await factory.StoredSpansAsync(trace));
    }
}

/// <summary>A message that can never fit is dropped by the exporter, not retried forever.</summary>
public sealed class OtlpGrpcOversizeTests : IDisposable
{
    private static readonly Marshaller<byte[]> RawBytes = Marshallers.Create(b => b, b => b);
    private static readonly Method<byte[], byte[]> Export = new(
        MethodType.Unary, "opentelemetry.proto.collector.trace.v1.TraceService", "Export", RawBytes, RawBytes);

    private readonly GrpcDepMapFactory _factory = new(new() { ["Ingest:MaxBodyBytes"] = "4096" });

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Export_ReturnsInvalidArgumentNamingTheCap_WhenTheMessageCanNeverFit()
    {
        using var channel = GrpcChannel.ForAddress(_factory.Address);
        var spans = Enumerable.Range(1, 200).Select(i => OtlpProto.Span(OtlpProto.TraceId(0, 7), (ulong)i, "span " + i, kind: 2)).ToArray();
        var request = OtlpProto.Request("orders", spans);
        Assert.True(request.Length > 4096);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            channel.CreateCallInvoker().AsyncUnaryCall(Export, null, new CallOptions(), request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("larger than Ingest:MaxBodyBytes (4096 bytes", error.Status.Detail, StringComparison.Ordinal);
    }
}
