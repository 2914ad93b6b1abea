using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Xunit.Abstractions;

namespace DepMap.Server.Tests.Features.Ingest;

/// <summary>
/// The fault suite's overload case, against the real server process with its default limits
/// (Ingest:MaxBufferedBytes 32 MiB, Ingest:MaxBodyBytes 16 MiB) and the aggregation on: offered
/// load far past what it can take is refused with 429 and Retry-After, resident memory stays under
/// the bound the README states through the load and the aggregation that links what was taken,
/// ingest recovers when the load drops, and memory falls back near its level before the load.
/// </summary>
[Trait("Category", "Faults")]
public class OverloadTests(ITestOutputHelper output)
{
    /// <summary>
    /// The README's bound on resident memory under any ingest load, with the default settings: the
    /// server's 1 GiB. With the aggregation on, peaks were 486-1,230 MiB until it dropped spans sent
    /// again (the flood sends one body over and over, and every trace's copies were re-linked whole
    /// at every batch); since then 490-529 MiB, reached during the load (docs/reliability.md).
    /// </summary>
    private const long MemoryBound = 1024L * 1024 * 1024;

    /// <summary>
    /// The README's promise for after a burst: resident memory back within this of its level before
    /// the burst, within <see cref="ReturnWithin"/> of the aggregation having linked what was taken.
    /// </summary>
    private const long ReturnMargin = 64L * 1024 * 1024;

    private static readonly TimeSpan ReturnWithin = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the aggregation may take to link the flood's spans before the test gives up: a few
    /// seconds on an idle machine, minutes in a suite starved of CPU. Memory stays under the bound all that time.
    /// </summary>
    private static readonly TimeSpan CatchUpWithin = TimeSpan.FromMinutes(4);

    private const string Traces = "/v1/traces";

    [Fact]
    public async Task Ingest_RefusesWithRetryAfterUnderMemoryBoundRecoversAndGivesMemoryBack_WhenOfferedLoadFarExceedsCapacity()
    {
        // With the aggregation as it runs by default (woken by ingest, 2 s settle time, the recurring
        // job as the backstop): it links the flood's spans right after it. Every accepted body is the
        // same 2,000 spans, so each of their traces gets a copy per accepted body: what a client
        // replaying its batch sends. The trim's log line says what it gave back, for the output.
        await using var server = await ServerProcess.StartAsync(
            "--Logging:LogLevel:DepMap.Server.Features.Ingest.IngestMemoryTrimmer=Debug");
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 400 }) { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };
        var body = Body(2_000);
        // The level to come back to is a server that has served: the ingest path and the aggregation
        // compiled, their pools made (the warm-up's spans linked, fresh traces among them).
        var warmUp = new FreshBodies(body);
        for (var i = 0; i < 10; i++)
        {
            using var warm = await http.PostAsync(Traces, Protobuf(i % 2 == 0 ? body : warmUp.Next()));
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }
        await CatchUpAsync(http, TimeSpan.FromMinutes(1));
        var before = server.ResidentBytes();
        var peak = 0L;
        // When the peak was, in seconds after the load ended (-1: during it).
        var peakAt = -1.0;
        var loadEnd = new Stopwatch();
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                var now = server.ResidentBytes();
                if (now > peak)
                {
                    (peak, peakAt) = (now, loadEnd.IsRunning ? loadEnd.Elapsed.TotalSeconds : -1);
                }
                await Task.Delay(100, CancellationToken.None);
            }
        });

        // 120 slow clients announce 16 MiB each, as in the hostile test: two fit the budget, the
        // rest are refused at once, without the server reading what they send.
        var slow = await Task.WhenAll(Enumerable.Range(0, 120).Select(_ => RawHttp.PostHeadAsync(server.Address, Traces, 16 * 1024 * 1024)));
        var slowHeads = await Task.WhenAll(slow.Select(async client =>
        {
            try
            {
                await client.SendAsync(new byte[64 * 1024]);
            }
            catch (System.Net.Sockets.SocketException)
            {
                // Refused and closed before the body went out: the answer is still there to read.
            }
            return await client.ReadHeadAsync(TimeSpan.FromSeconds(5));
        }));
        var slowRefused = slowHeads.Count(h => h is not null && h.StartsWith("HTTP/1.1 429", StringComparison.Ordinal) && h.Contains("Retry-After: ", StringComparison.Ordinal));
        foreach (var client in slow)
        {
            client.Dispose();
        }

        // Then 400 clients post 2,000-span bodies as fast as they are answered, for 8 s: half of them
        // the same body over and over (a client replaying its batch), half a body of new traces each
        // time (the aggregation then links every accepted span as a trace of its own).
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        var missingRetryAfter = 0;
        var fresh = new FreshBodies(body);
        Assert.Equal(2_000, fresh.TraceIds);
        var flood = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 400).Select(sender => Task.Run(async () =>
        {
            while (flood.Elapsed < TimeSpan.FromSeconds(8))
            {
                using var response = await http.PostAsync(Traces, Protobuf(sender % 2 == 0 ? body : fresh.Next()));
                statuses.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
                if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is null)
                {
                    Interlocked.Increment(ref missingRetryAfter);
                }
            }
        })));
        var floodSeconds = flood.Elapsed.TotalSeconds;

        loadEnd.Start();

        // Recovers: once the load is gone a request is taken at once.
        using var after = await http.PostAsync(Traces, Protobuf(Body(10)));

        // The aggregation links what was taken (woken by ingest's commits); memory is sampled all along.
        var caughtUp = await CatchUpAsync(http, CatchUpWithin);

        // And gives the memory back: polled, within a bound (the trim waits for IngestMemoryTrimmer.IdleFor
        // of quiet in ingest and in the aggregation).
        var quiet = Stopwatch.StartNew();
        var resident = server.ResidentBytes();
        var timeline = new List<string>();
        while (resident > before + ReturnMargin && quiet.Elapsed < ReturnWithin)
        {
            await Task.Delay(250);
            resident = server.ResidentBytes();
            if (timeline.Count < quiet.Elapsed.TotalSeconds)
            {
                timeline.Add($"{quiet.Elapsed.TotalSeconds:0}s {resident / 1048576}");
            }
        }
        await sampling.CancelAsync();
        await sampler;
        var log = server.LogText().Split('\n');
        var trims = string.Join(" | ", log.Where(l => l.Contains("trimmed", StringComparison.Ordinal)).Select(l => l.Trim()));
        var limitCollections = log.Count(l => l.Contains("past its soft limit", StringComparison.Ordinal));
        output.WriteLine($"slow clients refused at once: {slowRefused} of 120; flood {floodSeconds:0.0} s: " +
            string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{(int)s.Key} x {s.Value}")) +
            $"; aggregation caught up {caughtUp.TotalSeconds:0.0} s after the load; resident before {before / 1048576} MiB, " +
            $"peak {peak / 1048576} MiB through the load and the aggregation ({(peakAt < 0 ? "during the load" : $"{peakAt:0.0} s after it")}; bound {MemoryBound / 1048576} MiB), " +
            $"{resident / 1048576} MiB {quiet.Elapsed.TotalSeconds:0.0} s after the aggregation caught up (margin {ReturnMargin / 1048576} MiB within {ReturnWithin.TotalSeconds} s); " +
            $"resident MiB since: {string.Join(", ", timeline)}; heap soft-limit collections: {limitCollections}; trims: {trims}");

        Assert.InRange(slowRefused, 118, 120);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses.Keys.Where(k => k is not (HttpStatusCode.ServiceUnavailable)).Order());
        Assert.Equal(0, missingRetryAfter);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.True(peak < MemoryBound, $"peak resident memory {peak / 1048576} MiB is over the bound of {MemoryBound / 1048576} MiB");
        Assert.True(resident <= before + ReturnMargin,
            $"resident memory {resident / 1048576} MiB is still over {before / 1048576} + {ReturnMargin / 1048576} MiB {ReturnWithin.TotalSeconds} s after the aggregation caught up (peak {peak / 1048576} MiB)");
    }

    // OpenTelemetry .NET retries a 429 only with its in-memory retry turned on
    // (OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY=in_memory), and then waits what Retry-After says. 1.20.1
    // made no second attempt here; 1.21.0 does. ForceFlush's answer says the batch was handed to the
    // exporter, not that it arrived, so the test waits for the spans in the span file.
    // The two budget holders send from threads of their own, so a starved thread pool in the whole
    // suite cannot stall them past Kestrel's minimum-rate grace; and they are admitted one after the
    // other before the first probe (what failed in the whole suite was a probe read between them,
    // which took the second holder's room). A failing run says which of the two it was.
    [Fact]
    public async Task SdkExporter_DeliversEverySpanByRetrying_WhenRefusedWhileBudgetIsHeld()
    {
        await using var server = await ServerProcess.StartAsync("--Logging:LogLevel:Microsoft.AspNetCore.Server.Kestrel=Debug");
        // Two slow clients hold the whole 32 MiB budget (they keep above the minimum rate).
        // One after the other, each admitted ("100 Continue") before the next: sent together, a
        // probe could be read between them and take the second holder's room (seen in the whole
        // suite: one holder refused, the budget not full, the probe answered 200).
        var holders = new[]
        {
            await RawHttp.PostHeadAdmittedAsync(server.Address, Traces, 16 * 1024 * 1024),
            await RawHttp.PostHeadAdmittedAsync(server.Address, Traces, 16 * 1024 * 1024),
        };
        // Not disposed: when an assertion ends the test early the holder threads still wait on its
        // token, until the server's end closes their sockets (a disposed token's handle would throw
        // on their thread and end the whole test process).
        var release = new CancellationTokenSource();
        var trickles = holders.Select(holder => new BodyTrickle(holder, release.Token)).ToArray();
        // What the holders would have seen on the thread pool: its longest pause, for the output.
        var poolPause = TimeSpan.Zero;
        var pool = Task.Run(async () =>
        {
            var last = Stopwatch.GetTimestamp();
            while (!release.IsCancellationRequested)
            {
                await Task.Delay(100, CancellationToken.None);
                var pause = Stopwatch.GetElapsedTime(last);
                poolPause = pause > poolPause ? pause : poolPause;
                last = Stopwatch.GetTimestamp();
            }
        });
        using var http = new HttpClient { BaseAddress = server.Address };
        // "answered" names the other candidate: a probe admitted before a holder's head was read,
        // so that holder no longer fit and was refused.
        await WaitForRefusalAsync(http, () => Diagnosis(server, trickles) + $"; longest thread-pool pause {poolPause.TotalSeconds:0.0} s; " +
            $"holders answered by the server already: {string.Join(", ", holders.Select(h => h.Answered ? "yes" : "no"))}");

        var source = $"DepMap.Tests.{nameof(OverloadTests)}";
        using var activities = new ActivitySource(source);
        // The SDK's settings from this configuration rather than the process's environment, so no
        // other test's exporter retries.
        var settings = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory" })
            .Build();
        using var provider = Sdk.CreateTracerProviderBuilder()
            .ConfigureServices(services => services.AddSingleton<IConfiguration>(settings))
            .AddSource(source)
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("checkout"))
            .AddOtlpExporter(exporter =>
            {
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                exporter.Endpoint = new Uri(server.Address, Traces);
                exporter.ExportProcessorType = ExportProcessorType.Batch;
                exporter.TimeoutMilliseconds = 20_000;
            })
            .Build();
        var traces = new HashSet<string>();
        for (var i = 0; i < 50; i++)
        {
            using var span = activities.StartActivity("GET /cart", ActivityKind.Server)!;
            traces.Add(span.TraceId.ToHexString());
        }

        using var exporterEvents = new ExporterEvents();
        var flushed = Task.Run(() => provider.ForceFlush(60_000));
        // The exporter reports its first attempt refused; then the holders go away and only the
        // exporter's retry (after Retry-After) can deliver the spans.
        await AdmissionTests.WaitUntilAsync(() => exporterEvents.Messages.Any(m => m.Contains("429", StringComparison.Ordinal)));
        Assert.Equal(0, StoredSpans(server, traces));
        await release.CancelAsync();
        foreach (var trickle in trickles)
        {
            trickle.Join();
        }
        await pool;
        output.WriteLine(Diagnosis(server, trickles) + $"; longest thread-pool pause {poolPause.TotalSeconds:0.0} s");
        foreach (var holder in holders)
        {
            holder.Dispose();
        }

        await AdmissionTests.WaitUntilAsync(() => StoredSpans(server, traces) == 50);
        await flushed.WaitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine(string.Join("\n", exporterEvents.Messages));
        Assert.Equal(50, StoredSpans(server, traces));
    }

    /// <summary>What the OTLP exporter reports about its attempts, for the test's output.</summary>
    private sealed class ExporterEvents : System.Diagnostics.Tracing.EventListener
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource eventSource)
        {
            if (eventSource.Name.StartsWith("OpenTelemetry-Exporter-OpenTelemetryProtocol", StringComparison.Ordinal))
            {
                EnableEvents(eventSource, System.Diagnostics.Tracing.EventLevel.Verbose);
            }
        }

        protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs eventData) =>
            Messages.Enqueue($"{eventData.EventName}: {string.Join(", ", eventData.Payload ?? [])}");
    }

    // The holders' bodies are reserved once the server has read their headers, which may be just
    // after their requests were sent: probe until refused, for a bounded time.
    private static async Task WaitForRefusalAsync(HttpClient http, Func<string> diagnosis)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        HttpStatusCode status;
        do
        {
            using var probe = await http.PostAsync(Traces, Protobuf(Body(1)));
            status = probe.StatusCode;
        }
        while (status != HttpStatusCode.TooManyRequests && DateTime.UtcNow < deadline && await Delay());
        Assert.True(status == HttpStatusCode.TooManyRequests, $"the probe was answered {(int)status}, not 429: {diagnosis()}");

        static async Task<bool> Delay()
        {
            await Task.Delay(100);
            return true;
        }
    }

    private static string Diagnosis(ServerProcess server, BodyTrickle[] trickles) =>
        $"budget holders: longest pause between chunks {string.Join(", ", trickles.Select(t => $"{t.LongestPause.TotalSeconds:0.0} s"))}" +
        $" (Kestrel drops a body slower than the minimum rate after its 5 s grace); server log on slow bodies and aborts: " +
        string.Join(" | ", server.LogText().Split('\n').Where(l => l.Contains("slow", StringComparison.OrdinalIgnoreCase)
            || l.Contains("abort", StringComparison.OrdinalIgnoreCase) || l.Contains("minimum", StringComparison.OrdinalIgnoreCase) || l.Contains("timed out", StringComparison.OrdinalIgnoreCase)).Take(10));

    /// <summary>
    /// Sends 32 KiB every 100 ms on a thread of its own, so a starved thread pool in the test
    /// process cannot pause it; remembers its longest pause between chunks.
    /// </summary>
    private sealed class BodyTrickle
    {
        private readonly Thread _thread;
        private long _longestPauseTicks;

        public BodyTrickle(RawHttp holder, CancellationToken stop)
        {
            _thread = new Thread(() =>
            {
                var chunk = new byte[32 * 1024];
                var last = Stopwatch.GetTimestamp();
                try
                {
                    while (!stop.IsCancellationRequested)
                    {
                        holder.Send(chunk);
                        var now = Stopwatch.GetTimestamp();
                        _longestPauseTicks = Math.Max(_longestPauseTicks, now - last);
                        last = now;
                        stop.WaitHandle.WaitOne(100);
                    }
                }
                catch (System.Net.Sockets.SocketException)
                {
                    // The server closed the connection; the diagnosis says how long the pause before it was.
                }
            })
            { IsBackground = true, Name = "budget holder" };
            _thread.Start();
        }

        public TimeSpan LongestPause => Stopwatch.GetElapsedTime(0, Volatile.Read(ref _longestPauseTicks));

        public void Join() => _thread.Join();
    }

    private static int StoredSpans(ServerProcess server, HashSet<string> traces)
    {
        using var connection = new SqliteConnection($"Data Source={server.SpanDatabasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT trace_id_high, trace_id_low FROM spans";
        using var reader = command.ExecuteReader();
        var found = 0;
        while (reader.Read())
        {
            var hex = unchecked((ulong)reader.GetInt64(0)).ToString("x16") + unchecked((ulong)reader.GetInt64(1)).ToString("x16");
            found += traces.Contains(hex) ? 1 : 0;
        }
        return found;
    }

    /// <summary>Waits until the aggregation has linked every span taken in; returns how long that took.</summary>
    private static async Task<TimeSpan> CatchUpAsync(HttpClient http, TimeSpan within)
    {
        var catchUp = Stopwatch.StartNew();
        var backlog = await Backlog(http);
        while (backlog != (0, 0) && catchUp.Elapsed < within)
        {
            await Task.Delay(500);
            backlog = await Backlog(http);
        }
        Assert.True(backlog == (0, 0), $"the aggregation had not linked the spans taken in {within.TotalMinutes} min after the load (lag {backlog.LagSeconds} s, {backlog.TracesWaiting} traces waiting)");
        return catchUp.Elapsed;
    }

    /// <summary>The aggregation's lag and the traces waiting to settle, from /metrics (both 0 once it has linked everything).</summary>
    private static async Task<(double LagSeconds, double TracesWaiting)> Backlog(HttpClient http)
    {
        var text = await http.GetStringAsync("/metrics");
        double Read(string name) => text.Split('\n').Where(l => l.StartsWith(name + " ", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture)).Single();
        return (Read("depmap_aggregation_lag_seconds"), Read("depmap_aggregation_traces_waiting"));
    }

    private static byte[] Body(int spans) => OtlpProto.Request("load", [.. Enumerable.Range(0, spans).Select(i =>
        OtlpProto.Span(OtlpProto.TraceId(0, Payloads.NewTraceIdLow()), (ulong)i + 1, "op", kind: 2))]);

    /// <summary>
    /// Copies of a body whose every trace id is new in each copy: the top four bytes of each id's low
    /// half hold the copy's number (the aggregation groups traces by the low half). Patching the
    /// ids found in the template costs the senders far less than encoding 2,000 spans a request.
    /// </summary>
    private sealed class FreshBodies(byte[] template)
    {
        private readonly int[] _lowOffsets = LowOffsets(template);
        private int _copies;

        /// <summary>The trace ids found in the template, each renewed in every copy.</summary>
        public int TraceIds => _lowOffsets.Length;

        public byte[] Next()
        {
            var copy = (byte[])template.Clone();
            var number = (uint)Interlocked.Increment(ref _copies);
            foreach (var offset in _lowOffsets)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(offset), number);
            }
            return copy;
        }

        // Each span's trace id field: tag 0x0A (field 1, bytes), length 16, then high and low big-endian.
        private static int[] LowOffsets(byte[] body)
        {
            var offsets = new List<int>();
            for (var i = 0; i + 18 <= body.Length; i++)
            {
                if (body[i] == 0x0A && body[i + 1] == 16 && body.AsSpan(i + 2, 8).IndexOfAnyExcept((byte)0) < 0)
                {
                    offsets.Add(i + 10);
                    i += 17;
                }
            }
            return [.. offsets];
        }
    }

    private static ByteArrayContent Protobuf(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return content;
    }
}
