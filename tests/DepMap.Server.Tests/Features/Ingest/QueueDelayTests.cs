using System.Net;
using DepMap.Server.Features.Ingest;
using DepMap.Server.Tests.Features.Metrics;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;

namespace DepMap.Server.Tests.Features.Ingest;

/// <summary>
/// Ingest:MaxQueueDelay on real Kestrel: the span writer is held by a second connection taking
/// SQLite's write lock (PostgreSQL's lock on the span table), so a queued write really ages; past the limit a request is refused before
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
        using (await BackpressureTests.HoldWriteLockAsync(factory))
        {
            // The first write is taken into a commit that waits for the lock; the second queues behind it and ages.
            var first = client.PostAsync("/v1/traces", AdmissionTests.Protobuf(Payloads.NewTraceIdLow()));
            await AdmissionTests.WaitUntilAsync(() => writer.PendingSpans == 1);
            waiting = [first, client.PostAsync("/v1/traces", AdmissionTests.Protobuf(Payloads.NewTraceIdLow()))];
            await AdmissionTests.WaitUntilAsync(() => writer.PredictedWait > TimeSpan.FromSeconds(1));

            // Announces a body it never sends: only a refusal decided before reading can answer it.
            using var unread = await RawHttp.PostHeadAsync(factory.Address, "/v1/traces", 500);
            head = await unread.ReadHeadAsync(TimeSpan.FromSeconds(20));
            refused = await client.PostAsync("/v1/traces", AdmissionTests.Protobuf(Payloads.NewTraceIdLow()));
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
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v1/traces", AdmissionTests.Protobuf(trace))).StatusCode);
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
        using (await BackpressureTests.HoldWriteLockAsync(factory))
        {
            var first = AdmissionTests.Export(invoker, Payloads.NewTraceIdLow());
            await AdmissionTests.WaitUntilAsync(() => writer.PendingSpans == 1);
            waiting = [first, AdmissionTests.Export(invoker, Payloads.NewTraceIdLow())];
            await AdmissionTests.WaitUntilAsync(() => writer.PredictedWait > TimeSpan.FromSeconds(1));

            refused = await Assert.ThrowsAsync<RpcException>(() => AdmissionTests.Export(invoker, Payloads.NewTraceIdLow()));
        }

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("Ingest:MaxQueueDelay", refused.Status.Detail);
        Assert.Equal(TimeSpan.FromSeconds(2), refused.GetRpcStatus()?.GetDetail<RetryInfo>()?.RetryDelay.ToTimeSpan());
        await Task.WhenAll(waiting);
        var trace = Payloads.NewTraceIdLow();
        await AdmissionTests.Export(invoker, trace);
        Assert.Single(await factory.StoredSpansAsync(trace));
    }
}
