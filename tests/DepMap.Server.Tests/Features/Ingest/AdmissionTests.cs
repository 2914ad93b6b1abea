using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using DepMap.Server.Features.Ingest;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;

namespace DepMap.Server.Tests.Features.Ingest;

/// <summary>
/// Ingest's byte budget (Ingest:MaxBufferedBytes) on real Kestrel: a body is admitted or refused
/// by its declared length before it is read, and what an admitted body holds is given back when
/// its request ends, however it ends.
/// </summary>
public class AdmissionTests
{
    private const int Budget = 1024 * 1024;

    private static Dictionary<string, string?> Settings(int minRate = 0) => new()
    {
        ["Ingest:MaxBodyBytes"] = Budget.ToString(),
        ["Ingest:MaxBufferedBytes"] = Budget.ToString(),
        ["Ingest:MinBodyBytesPerSecond"] = minRate.ToString(),
        ["Ingest:RetryAfterSeconds"] = "2",
        ["Graph:WarmUpOnStart"] = "false",
    };

    [Fact]
    public async Task PostTraces_Returns429WithRetryAfterWithoutReadingBody_WhenBudgetIsHeld()
    {
        using var factory = new HttpDepMapFactory(Settings());
        var admission = factory.Services.GetRequiredService<IngestAdmission>();
        using var slow = await RawHttp.PostHeadAsync(factory.Address, "/v1/traces", Budget);
        await slow.SendAsync(new byte[1000]);
        await WaitUntilAsync(() => admission.HeldBytes == Budget);

        // Announces a body it never sends: only a refusal decided before reading can answer it.
        using var waiting = await RawHttp.PostHeadAsync(factory.Address, "/v1/traces", 500);
        var head = await waiting.ReadHeadAsync(TimeSpan.FromSeconds(20));

        Assert.NotNull(head);
        Assert.StartsWith("HTTP/1.1 429", head);
        Assert.Contains("Retry-After: 2", head);
        using var client = new HttpClient { BaseAddress = factory.Address };
        var refused = await client.PostAsync("/v1/traces", Protobuf(Payloads.NewTraceIdLow()));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("Ingest:MaxBufferedBytes", await refused.ProblemDetailAsync());

        slow.Dispose();
        await WaitUntilAsync(() => admission.HeldBytes == 0);
        var trace = Payloads.NewTraceIdLow();
        var accepted = await client.PostAsync("/v1/traces", Protobuf(trace));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Single(await factory.StoredSpansAsync(trace));
        Assert.Equal(0, admission.HeldBytes);
    }

    [Fact]
    public async Task PostTraces_DropsSlowBody_WhenClientSendsUnderMinimumRate()
    {
        // 2 KB/s passes Kestrel's default of 240 bytes/s; the configured 100 KB/s drops it after its 5 s grace.
        using var factory = new HttpDepMapFactory(Settings(minRate: 100_000));
        var admission = factory.Services.GetRequiredService<IngestAdmission>();
        using var slow = await RawHttp.PostHeadAsync(factory.Address, "/v1/traces", Budget);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        var trickle = Task.Run(async () =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await slow.SendAsync(new byte[1000]);
                    await Task.Delay(500, stop.Token);
                }
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
            {
            }
        });
        await WaitUntilAsync(() => admission.HeldBytes == Budget);

        var head = await slow.ReadHeadAsync(TimeSpan.FromSeconds(30));

        await stop.CancelAsync();
        await trickle;
        // Kestrel answers 408 when it can, or closes the connection.
        Assert.True(head is null || head.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), head);
        await WaitUntilAsync(() => admission.HeldBytes == 0);
    }

    [Fact]
    public async Task Export_ReturnsResourceExhaustedWithRetryInfoBeforeReadingMessage_WhenBudgetIsHeld()
    {
        using var factory = new GrpcDepMapFactory(Settings());
        var admission = factory.Services.GetRequiredService<IngestAdmission>();
        using var http = new HttpClient { BaseAddress = factory.Address };
        var held = new TaskCompletionSource();
        // A gRPC message whose prefix declares the whole budget, then nothing more until released.
        var stalled = http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/opentelemetry.proto.collector.trace.v1.TraceService/Export")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new StalledGrpcMessage(Budget, held.Task),
        });
        await WaitUntilAsync(() => admission.HeldBytes == Budget);
        using var channel = GrpcChannel.ForAddress(factory.Address);
        var invoker = channel.CreateCallInvoker();

        var refused = await Assert.ThrowsAsync<RpcException>(() => Export(invoker, Payloads.NewTraceIdLow()));

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("Ingest:MaxBufferedBytes", refused.Status.Detail);
        Assert.Equal(TimeSpan.FromSeconds(2), refused.GetRpcStatus()?.GetDetail<RetryInfo>()?.RetryDelay.ToTimeSpan());
        held.SetResult();
        try
        {
            (await stalled).Dispose();
        }
        catch (HttpRequestException)
        {
            // The stalled message ends short of its declared length; gRPC refuses it either way.
        }
        await WaitUntilAsync(() => admission.HeldBytes == 0);
        var trace = Payloads.NewTraceIdLow();
        await Export(invoker, trace);
        Assert.Single(await factory.StoredSpansAsync(trace));
    }

    private static readonly Marshaller<byte[]> RawBytes = Marshallers.Create(b => b, b => b);
    private static readonly Method<byte[], byte[]> ExportMethod = new(
        MethodType.Unary, "opentelemetry.proto.collector.trace.v1.TraceService", "Export", RawBytes, RawBytes);

    internal static Task<byte[]> Export(CallInvoker invoker, ulong trace) =>
        invoker.AsyncUnaryCall(ExportMethod, null, new CallOptions(), Request(trace)).ResponseAsync;

    private static byte[] Request(ulong trace) => OtlpProto.Request("orders", OtlpProto.Span(OtlpProto.TraceId(0, trace), 1, "op", kind: 2));

    internal static ByteArrayContent Protobuf(ulong trace)
    {
        var content = new ByteArrayContent(Request(trace));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return content;
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var waited = TimeSpan.Zero; !condition(); waited += TimeSpan.FromMilliseconds(20))
        {
            Assert.True(waited < TimeSpan.FromSeconds(30), "the condition did not hold within 30 s");
            await Task.Delay(20);
        }
    }

    private sealed class StalledGrpcMessage : HttpContent
    {
        private readonly int _declaredLength;
        private readonly Task _release;

        public StalledGrpcMessage(int declaredLength, Task release)
        {
            (_declaredLength, _release) = (declaredLength, release);
            Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var prefix = new byte[5];
            BinaryPrimitives.WriteUInt32BigEndian(prefix.AsSpan(1), (uint)_declaredLength);
            await stream.WriteAsync(prefix);
            await stream.WriteAsync(new byte[100]);
            await stream.FlushAsync();
            await _release;
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
