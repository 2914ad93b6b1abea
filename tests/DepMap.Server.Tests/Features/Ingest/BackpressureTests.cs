using System.Net;
using DepMap.Server.Features.Ingest;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DepMap.Server.Tests.Features.Ingest;

/// <summary>
/// The writer is held by a second connection taking SQLite's write lock on the same file (on a
/// PostgreSQL run, a lock on the span table): real storage, really blocked, no test hook in the app.
/// </summary>
public class BackpressureTests
{
    private const string Path = "/api/v2/spans";

    [Fact]
    public async Task PostSpans_Returns429WithRetryAfter_WhenQueueIsFull()
    {
        using var factory = new DepMapFactory(DepMapFactory.NewFolder(), ownsFolder: true, new()
        {
            ["Ingest:QueueCapacitySpans"] = "2",
            ["Ingest:RetryAfterSeconds"] = "3",
        });
        var client = factory.CreateClient();
        var first = Payloads.NewTraceIdLow();
        var second = Payloads.NewTraceIdLow();

        Task<HttpResponseMessage> held;
        HttpResponseMessage refused;
        using (var writeLock = await HoldWriteLockAsync(factory))
        {
            held = client.PostAsync(Path, Payloads.Utf8(Payloads.ZipkinTrace(first)), "application/json");
            await WaitForPendingSpansAsync(factory, 2);
            refused = await client.PostAsync(Path, Payloads.Utf8(Payloads.ZipkinTrace(second)), "application/json");
            Assert.False(held.IsCompleted);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), refused.Headers.RetryAfter?.Delta);
        Assert.Contains("queue is full", await refused.ProblemDetailAsync());
        Assert.Equal(HttpStatusCode.Accepted, (await held).StatusCode);
        Assert.Equal(2, (await factory.StoredSpansAsync(first)).Count);
        Assert.Empty(await factory.StoredSpansAsync(second));
        var retried = await client.PostAsync(Path, Payloads.Utf8(Payloads.ZipkinTrace(second)), "application/json");
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
    }

    [Trait("Provider", "Sqlite")]
    [Fact]
    public async Task PostSpans_Returns503WithRetryAfter_WhenStorageCannotCommit()
    {
        // The writer gives up on a busy database after one second instead of thirty.
        using var factory = new DepMapFactory(DepMapFactory.NewFolder(), ownsFolder: true, new(), ";Default Timeout=1");
        var client = factory.CreateClient();
        var trace = Payloads.NewTraceIdLow();

        HttpResponseMessage unavailable;
        using (var writeLock = await HoldWriteLockAsync(factory))
        {
            unavailable = await client.PostAsync(Path, Payloads.Utf8(Payloads.ZipkinTrace(trace)), "application/json");
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), unavailable.Headers.RetryAfter?.Delta);
        Assert.Empty(await factory.StoredSpansAsync(trace));
        var retried = await client.PostAsync(Path, Payloads.Utf8(Payloads.ZipkinTrace(trace)), "application/json");
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        Assert.Equal(2, (await factory.StoredSpansAsync(trace)).Count);
    }

    [Fact]
    public async Task Export_ReturnsResourceExhaustedWithRetryInfo_WhenQueueIsFull()
    {
        using var factory = new GrpcDepMapFactory(new() { ["Ingest:QueueCapacitySpans"] = "1", ["Ingest:RetryAfterSeconds"] = "2" });
        using var channel = GrpcChannel.ForAddress(factory.Address);
        var invoker = channel.CreateCallInvoker();
        byte[] Request() => OtlpProto.Request("orders", OtlpProto.Span(OtlpProto.TraceId(0, Payloads.NewTraceIdLow()), 1, "op", kind: 2));

        Task<byte[]> held;
        RpcException refused;
        using (var writeLock = await HoldWriteLockAsync(factory))
        {
            held = invoker.AsyncUnaryCall(ExportMethod, null, new CallOptions(), Request()).ResponseAsync;
            await WaitForPendingSpansAsync(factory, 1);
            refused = await Assert.ThrowsAsync<RpcException>(() =>
                invoker.AsyncUnaryCall(ExportMethod, null, new CallOptions(), Request()).ResponseAsync);
        }

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        var retryInfo = refused.GetRpcStatus()?.GetDetail<RetryInfo>();
        Assert.Equal(TimeSpan.FromSeconds(2), retryInfo?.RetryDelay.ToTimeSpan());
        Assert.Empty(await held);
    }

    private static readonly Marshaller<byte[]> RawBytes = Marshallers.Create(b => b, b => b);
    private static readonly Method<byte[], byte[]> ExportMethod = new(
        MethodType.Unary, "opentelemetry.proto.collector.trace.v1.TraceService", "Export", RawBytes, RawBytes);

    /// <summary>
    /// Holds the span writer's commits until disposed: SQLite's write lock on the span file, or on
    /// PostgreSQL a lock on the span table that COPY waits for.
    /// </summary>
    internal static async Task<IDisposable> HoldWriteLockAsync(DepMapFactory factory)
    {
        _ = factory.Services; // starts the host, which creates and migrates the store
        if (factory.PostgreSql is { } database)
        {
            var holder = await database.ConnectAsync();
            var transaction = await holder.BeginTransactionAsync();
            await using var lockTable = new NpgsqlCommand("LOCK TABLE spans IN EXCLUSIVE MODE", holder, transaction);
            await lockTable.ExecuteNonQueryAsync();
            return holder; // disposing it rolls back and releases the lock
        }
        var connection = new SqliteConnection($"Data Source={factory.SpanDatabasePath};Pooling=False");
        await connection.OpenAsync();
        using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE;";
        await begin.ExecuteNonQueryAsync();
        return connection; // disposing it rolls back and releases the lock
    }

    private static async Task WaitForPendingSpansAsync(DepMapFactory factory, int spans)
    {
        var writer = factory.Services.GetRequiredService<SpanWriter>();
        for (var i = 0; i < 500 && writer.PendingSpans < spans; i++)
        {
            await Task.Delay(10);
        }
        Assert.Equal(spans, writer.PendingSpans);
    }
}
