using System.Net;
using System.Net.Http.Headers;
using DepMap.Server.Features.Ingest;
using DepMap.Server.Tests.Features.Metrics;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace DepMap.Server.Tests.Features.Ingest;

/// <summary>
/// Ingest:MaxQueueDelay on real Kestrel: the span writer is held by a second connection taking
/// SQLite's write lock, so a queued write really ages; past the limit a request is refused before
/// a byte of its body is read, and taken again once the writer catches up.
/// </summary>
public class QueueDelayTests
{
    private static Dictionary<string, string?> Settings() => new()
    {
        ["Ingest:MaxQueueDelay"] = "00:00:01",
        ["Ingest:RetryAfterSeconds"] = "2",
        ["Graph:WarmUpOnStart"] = "false",
    };

    [Fact]
    public async Task PostTraces_Returns429BeforeReadingBody_WhenPredictedWaitIsPastMaxQueueDelay()
    {
        using var factory = new HttpDepMapFactory(Settings());
        var writer = factory.Services.GetRequiredService<SpanWriter>();
        using var client = new HttpClient { BaseAddress = factory.Address };
        Task<HttpResponseMessage>[] waiting;
        string? head;
        HttpResponseMessage refused;
        using (await HoldWriteLockAsync(factory))
        {
            // The first write is taken into a commit that waits for the lock; the second queues behind it and ages.
            var first = client.PostAsync("/v1/traces", Protobuf(Payloads.NewTraceIdLow()));
            await AdmissionTests.WaitUntilAsync(() => writer.PendingSpans == 1);
            waiting = [first, client.PostAsync("/v1/traces", Protobuf(Payloads.NewTraceIdLow()))];
            await AdmissionTests.WaitUntilAsync(() => writer.PredictedWait > TimeSpan.FromSeconds(1));

            // Announces a body it never sends: only a refusal decided before reading can answer it.
            using var unread = await RawHttp.PostHeadAsync(factory.Address, "/v1/traces", 500);
            head = await unread.ReadHeadAsync(TimeSpan.FromSeconds(20));
            refused = await client.PostAsync("/v1/traces", Protobuf(Payloads.NewTraceIdLow()));
            Assert.All(waiting, w => Assert.False(w.IsCompleted));
        }

        Assert.NotNull(head);
        Assert.StartsWith("HTTP/1.1 429", head);
        Assert.Contains("Retry-After: 2", head);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), refused.Headers.RetryAfter?.Delta);
        Assert.Contains("Ingest:MaxQueueDelay", await refused.ProblemDetailAsync());
        foreach (var response in await Task.WhenAll(waiting))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var trace = Payloads.NewTraceIdLow();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v1/traces", Protobuf(trace))).StatusCode);
        Assert.Single(await factory.StoredSpansAsync(trace));
        var metrics = await MetricsText.ScrapeAsync(client);
        Assert.Equal(2, metrics.Value("depmap_ingest_payloads_refused_total{protocol=\"otlp_protobuf\",reason=\"busy\"}"));
    }

    [Fact]
    public async Task Export_ReturnsResourceExhaustedWithRetryInfo_WhenPredictedWaitIsPastMaxQueueDelay()
    {
        using var factory = new GrpcDepMapFactory(Settings());
        var writer = factory.Services.GetRequiredService<SpanWriter>();
        using var channel = GrpcChannel.ForAddress(factory.Address);
        var invoker = channel.CreateCallInvoker();
        Task<byte[]>[] waiting;
        RpcException refused;
        using (await HoldWriteLockAsync(factory))
        {
            var first = Export(invoker, Payloads.NewTraceIdLow());
            await AdmissionTests.WaitUntilAsync(() => writer.PendingSpans == 1);
            waiting = [first, Export(invoker, Payloads.NewTraceIdLow())];
            await AdmissionTests.WaitUntilAsync(() => writer.PredictedWait > TimeSpan.FromSeconds(1));

            refused = await Assert.ThrowsAsync<RpcException>(() => Export(invoker, Payloads.NewTraceIdLow()));
        }

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("Ingest:MaxQueueDelay", refused.Status.Detail);
        Assert.Equal(TimeSpan.FromSeconds(2), refused.GetRpcStatus()?.GetDetail<RetryInfo>()?.RetryDelay.ToTimeSpan());
        await Task.WhenAll(waiting);
        var trace = Payloads.NewTraceIdLow();
        await Export(invoker, trace);
        Assert.Single(await factory.StoredSpansAsync(trace));
    }

    private static async Task<SqliteConnection> HoldWriteLockAsync(DepMapFactory factory)
    {
        _ = factory.Services; // starts the host, which creates and migrates the file
        var connection = new SqliteConnection($"Data Source={factory.SpanDatabasePath};Pooling=False");
        await connection.OpenAsync();
        using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE;";
        await begin.ExecuteNonQueryAsync();
        return connection; // disposing it rolls back and releases the lock
    }

    private static readonly Marshaller<byte[]> RawBytes = Marshallers.Create(b => b, b => b);
    private static readonly Method<byte[], byte[]> ExportMethod = new(
        MethodType.Unary, "opentelemetry.proto.collector.trace.v1.TraceService", "Export", RawBytes, RawBytes);

    private static Task<byte[]> Export(CallInvoker invoker, ulong trace) =>
        invoker.AsyncUnaryCall(ExportMethod, null, new CallOptions(), Request(trace)).ResponseAsync;

    private static byte[] Request(ulong trace) => OtlpProto.Request("orders", OtlpProto.Span(OtlpProto.TraceId(0, trace), 1, "op", kind: 2));

    private static ByteArrayContent Protobuf(ulong trace)
    {
        var content = new ByteArrayContent(Request(trace));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return content;
    }
}
