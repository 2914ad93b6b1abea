using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;

namespace DepMap.Server.Tests.Faults;

/// <summary>
/// Spans with known content for the fault tests: batch <c>n</c> of a seed always holds the same
/// traces (gateway → orders → the orders database, with seeded durations and errors), as Zipkin
/// v2 JSON, so a clean run can be fed exactly the batches another run acknowledged.
/// </summary>
internal sealed class FaultTraffic(int seed, int tracesPerBatch = 20)
{
    /// <summary>Spans of one trace.</summary>
    public const int SpansPerTrace = 3;

    private static readonly DateTimeOffset Start = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public int SpansPerBatch => tracesPerBatch * SpansPerTrace;

    /// <summary>Ten minutes of spans, so runs touch several minute buckets.</summary>
    public static (DateTimeOffset From, DateTimeOffset To) Window => (Start, Start.AddMinutes(11));

    public ulong TraceIdLow(int batch, int trace) =>
        unchecked(((ulong)(uint)seed << 40) ^ ((ulong)batch << 12) ^ (ulong)trace ^ 0x8000_0000_0000_0000UL);

    public byte[] Batch(int batch) => Batch(batch, null);

    /// <summary>
    /// One of a batch's two halves, as two instances behind a load balancer receive them: part 0
    /// holds each trace's gateway span, part 1 its two orders spans.
    /// </summary>
    public byte[] Part(int batch, int part) => Batch(batch, part);

    private byte[] Batch(int batch, int? part)
    {
        var random = new Random(HashCode.Combine(seed, batch));
        var json = new StringBuilder("[");
        for (var t = 0; t < tracesPerBatch; t++)
        {
            var trace = TraceIdLow(batch, t).ToString("x16", CultureInfo.InvariantCulture);
            var at = Start.AddMilliseconds(random.Next(0, 600_000)).ToUnixTimeMilliseconds() * 1000;
            var total = random.Next(2_000, 90_000);
            var db = random.Next(100, total / 2);
            var failed = random.Next(50) == 0;
            var errorTag = failed ? ",\"tags\":{\"error\":\"timeout\"}" : "";
            var operation = random.Next(3) switch { 0 => "get /orders", 1 => "post /orders", _ => "get /orders/:id" };
            if (t > 0)
            {
                json.Append(',');
            }
            var gateway = $$$"""
                {"traceId":"{{{trace}}}","id":"00000000000000a1","kind":"CLIENT","name":"{{{operation}}}","timestamp":{{{at}}},"duration":{{{total + 500}}},
                 "localEndpoint":{"serviceName":"gateway"},"tags":{"peer.service":"orders"}}
                """;
            var orders = $$$"""
                {"traceId":"{{{trace}}}","parentId":"00000000000000a1","id":"00000000000000a2","kind":"SERVER","name":"{{{operation}}}","timestamp":{{{at + 200}}},
                 "duration":{{{total}}},"localEndpoint":{"serviceName":"orders"}{{{errorTag}}}},
                {"traceId":"{{{trace}}}","parentId":"00000000000000a2","id":"00000000000000a3","kind":"CLIENT","name":"select","timestamp":{{{at + 400}}},
                 "duration":{{{db}}},"localEndpoint":{"serviceName":"orders"},"tags":{"db.system":"postgresql","db.namespace":"orders"}}
                """;
            json.Append(part switch { 0 => gateway, 1 => orders, _ => gateway + "," + orders });
        }
        return Encoding.UTF8.GetBytes(json.Append(']').ToString());
    }
}

/// <summary>
/// A load generator over <see cref="FaultTraffic"/>: workers post batch after batch, and each batch
/// ends acknowledged (202), refused (a 4xx/5xx answer: not stored, the client retries later) or
/// unknown (no answer: the server died with it in flight; it may or may not be stored, and the
/// client retries it, as OTLP exporters and Zipkin reporters do).
/// </summary>
internal sealed class LoadGenerator(FaultTraffic traffic)
{
    private readonly ConcurrentDictionary<int, bool> _acknowledged = new();
    private readonly ConcurrentQueue<int> _retry = new();
    private int _next;

    public IReadOnlyCollection<int> Acknowledged => [.. _acknowledged.Keys.Order()];

    public int Retries { get; private set; }

    /// <summary>Status codes of refused batches (never a 500 under these faults).</summary>
    public ConcurrentBag<HttpStatusCode> Refusals { get; } = [];

    /// <summary>Runs <paramref name="workers"/> posting loops until the server stops answering or <paramref name="stop"/> fires.</summary>
    public async Task RunAsync(Uri server, int workers, CancellationToken stop, int? maxBatches = null)
    {
        using var client = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(60) };
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkAsync(client, maxBatches, stop), CancellationToken.None)));
    }

    /// <summary>Re-sends every batch not yet acknowledged until each is, as a retrying client does after a restart.</summary>
    public async Task DeliverRetriesAsync(Uri server)
    {
        using var client = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(60) };
        while (_retry.TryDequeue(out var batch))
        {
            Retries++;
            var status = await PostAsync(client, batch, CancellationToken.None);
            Assert.True(status == HttpStatusCode.Accepted, $"batch {batch} was refused with {status} by a healthy server");
            _acknowledged[batch] = true;
        }
    }

    private async Task WorkAsync(HttpClient client, int? maxBatches, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var batch = Interlocked.Increment(ref _next) - 1;
            if (batch >= maxBatches)
            {
                return;
            }
            HttpStatusCode? status;
            try
            {
                status = await PostAsync(client, batch, CancellationToken.None);
            }
            catch (HttpRequestException)
            {
                status = null;
            }
            catch (TaskCanceledException)
            {
                status = null;
            }
            if (status == HttpStatusCode.Accepted)
            {
                _acknowledged[batch] = true;
                continue;
            }
            _retry.Enqueue(batch);
            if (status is null)
            {
                // The server is gone: this worker's part of the run is over.
                return;
            }
            Refusals.Add(status.Value);
        }
    }

    private async Task<HttpStatusCode> PostAsync(HttpClient client, int batch, CancellationToken cancel)
    {
        using var content = new ByteArrayContent(traffic.Batch(batch));
        content.Headers.ContentType = new("application/json");
        using var response = await client.PostAsync("/api/v2/spans", content, cancel);
        return response.StatusCode;
    }
}
