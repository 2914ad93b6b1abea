using System.Diagnostics;
using System.Net.Http.Headers;
using DepMap.LoadTest;

// A bounded loopback load generator for a DepMap server that is already running. It starts
// nothing itself, sends only to the URL given (loopback), and stops after --seconds (at most 120).
//   dotnet tests/DepMap.LoadTest/bin/Release/net10.0/DepMap.LoadTest.dll --db data/depmap.db
//     [--format otlp-protobuf|otlp-json|zipkin] [--url URL] [--services 50] [--batch 512]
//     [--connections 8 (concurrent requests, at most 2000)] [--seconds 10] [--rate SPANS_PER_SECOND] [--server-pid PID]
//     [--warmup SECONDS] [--sqlite-baseline SECONDS] [--report]
// --warmup sends for that long first, unmeasured: the server's JIT and pools warm up, and the figures
// (rate, latency, refusals, CPU, the server's GC) cover only the --seconds after it; the zero-loss
// check still counts every span acknowledged, warm-up included.
// --report only prints what the database holds (and the server's memory); --sqlite-baseline
// measures SQLite's raw append rate after the load, with rows the server stored.
// `freshness [--rate --seconds --spread …]` measures acknowledgement-to-graph time instead (Freshness.cs);
// `postgres-baseline --connection CS …` PostgreSQL's own binary COPY rate of span rows (PostgreSqlBaseline.cs).
if (args is ["freshness", ..])
{
    return await Freshness.RunAsync(args[1..]);
}
if (args is ["postgres-baseline", ..])
{
    return await PostgreSqlBaseline.RunAsync(args[1..]);
}
var options = Args.Parse(args);
if (!options.Url.IsLoopback)
{
    Console.Error.WriteLine($"refusing {options.Url}: the load generator only targets loopback addresses");
    return 2;
}

Console.WriteLine($"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
if (options.ReportOnly)
{
    PrintMemory(options.ServerPid, null);
    if (options.Database is not null)
    {
        DatabaseReport.Print(options.Database);
    }
    return 0;
}
Console.WriteLine($"target {options.Url}{options.Format.Path()} ({options.Format}), {options.Services} services, " +
    $"{options.BatchSpans}-span batches, {options.Connections} connections, " +
    (options.WarmupSeconds > 0 ? $"{options.WarmupSeconds} s warm-up then " : "") + $"{options.Seconds} s measured, " +
    (options.Rate > 0 ? $"paced at {options.Rate:N0} spans/s" : "as fast as acknowledged"));

// Payloads are built before the clock starts, so the generator's own work is not measured; per
// send only a copy and the trace-id rewrite remain. Span times are now, so the graph's default
// one-hour window shows the run.
var topology = new SyntheticTopology(options.Services, seed: 42, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000);
var templates = Enumerable.Range(0, 64).Select(_ =>
{
    var (spans, traceIds) = topology.NextBatch(options.BatchSpans);
    return options.Format switch
    {
        LoadFormat.OtlpProtobuf => new PayloadTemplate(OtlpProtobufPayload.Write(spans), traceIds, hex: false),
        LoadFormat.OtlpJson => new PayloadTemplate(JsonPayloads.OtlpJson(spans), traceIds, hex: true),
        _ => new PayloadTemplate(JsonPayloads.Zipkin(spans), traceIds, hex: true),
    };
}).ToArray();
if (templates.Any(t => t.IdCount != options.BatchSpans))
{
    Console.Error.WriteLine("a payload template does not rewrite one trace id per span");
    return 3;
}
Console.WriteLine($"payload {templates.Average(t => t.Length) / options.BatchSpans:N0} bytes per span");
var startId = options.Database is null ? 0 : DatabaseReport.MaxSpanId(options.Database);
// Send numbers start at a random point, so runs against the same database store distinct traces.
var send = (uint)Random.Shared.Next();

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Connections })
{
    BaseAddress = options.Url,
    Timeout = TimeSpan.FromSeconds(30),
};
var latencies = new List<double>[options.Connections];
// Counted by when the answer came: the figures are what the server answered inside the measured
// window (steady state); answers before it are the warm-up's, after it (requests still in flight
// at the deadline, up to the client's timeout) late. Every acknowledged span counts for zero loss.
// Indexed by phase: 0 warm-up, 1 measured, 2 late.
var acked = new long[3];
var refusals = new long[3];
long failed = 0;
var warmup = TimeSpan.FromSeconds(options.WarmupSeconds);
var clock = Stopwatch.StartNew();
var deadline = warmup + TimeSpan.FromSeconds(options.Seconds);
int Phase() => clock.Elapsed < warmup ? 0 : clock.Elapsed < deadline ? 1 : 2;
var measured = RunCounters.TakeAsync(options, warmup);
var ended = RunCounters.TakeAsync(options, deadline);
var sampler = options.ServerPid is { } pid ? ServerMemory.SamplePeakAsync(pid, () => clock.Elapsed >= deadline) : Task.FromResult(0L);
var workers = Enumerable.Range(0, options.Connections).Select(worker => Task.Run(async () =>
{
    var mine = latencies[worker] = [];
    var buffer = new byte[templates.Max(t => t.Length)];
    // Paced runs send request n of this worker at a fixed time, so latency is measured at a known load.
    var interval = options.Rate > 0 ? (double)options.BatchSpans * options.Connections / options.Rate : 0;
    var sentCount = 0;
    for (var i = worker; clock.Elapsed < deadline; i += options.Connections)
    {
        if (interval > 0)
        {
            var due = TimeSpan.FromSeconds(sentCount++ * interval + worker * interval / options.Connections) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }
        }
        var template = templates[i % templates.Length];
        template.WriteTo(buffer, Interlocked.Increment(ref send));
        var content = new ByteArrayContent(buffer, 0, template.Length);
        content.Headers.ContentType = new MediaTypeHeaderValue(options.Format.ContentType());
        var sent = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.PostAsync(options.Format.Path(), content);
            var phase = Phase();
            if (response.IsSuccessStatusCode)
            {
                if (phase == 1)
                {
                    mine.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                }
                Interlocked.Add(ref acked[phase], options.BatchSpans);
            }
            else if ((int)response.StatusCode is 429 or 503)
            {
                // As OTLP exporters do: wait what Retry-After says (100 ms when it says nothing).
                // Not past the deadline, though: a run ends when its time is up, not when the last
                // refused client would have come back.
                Interlocked.Increment(ref refusals[phase]);
                var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromMilliseconds(100);
                var left = deadline - clock.Elapsed;
                await Task.Delay(wait < left ? wait : left > TimeSpan.Zero ? left : TimeSpan.Zero);
            }
            else
            {
                Interlocked.Increment(ref failed);
                Console.Error.WriteLine($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            // A connection refused or reset, or no answer within the client's 30 s.
            Interlocked.Increment(ref failed);
        }
    }
})).ToArray();
await Task.WhenAll(workers);
var start = await measured;
var (warmupAckedSpans, ackedSpans, lateAckedSpans) = (acked[0], acked[1], acked[2]);
var (warmupRefused, refused) = (refusals[0], refusals[1] + refusals[2]);
var end = await ended;
var elapsed = (double)options.Seconds;
var peakSampled = await sampler;

var all = latencies.SelectMany(l => l).Order().ToArray();
double Percentile(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(p * all.Length))];
var rate = ackedSpans / elapsed;
if (options.WarmupSeconds > 0)
{
    Console.WriteLine($"warm-up {options.WarmupSeconds} s (not measured): acknowledged {warmupAckedSpans:N0} spans, refused {warmupRefused:N0}");
}
Console.WriteLine($"acknowledged {ackedSpans:N0} spans in {elapsed:F1} s: {rate:N0} spans/s" +
    (lateAckedSpans > 0 ? $" (and {lateAckedSpans:N0} acknowledged after the deadline, {(clock.Elapsed - deadline).TotalSeconds:F1} s after it at most; not in the rate)" : ""));
Console.WriteLine($"ack latency p50 {Percentile(0.50):F1} ms, p99 {Percentile(0.99):F1} ms, max {Percentile(1):F1} ms over {all.Length:N0} requests");
Console.WriteLine($"refused (429/503) {refused:N0} ({refused / elapsed:N0}/s), failed {failed:N0} (warm-up included)");
PrintMemory(options.ServerPid, peakSampled);
RunCounters.PrintDifference(start, end, elapsed, ackedSpans, refused);
if (options.Database is null)
{
    return failed == 0 ? 0 : 1;
}
var rows = DatabaseReport.SpanRowsAfter(options.Database, startId);
var ackedTotal = ackedSpans + warmupAckedSpans + lateAckedSpans;
Console.WriteLine($"rows stored {rows:N0} vs spans acknowledged {ackedTotal:N0}" + " (warm-up and late included)" +
    $": {(rows == ackedTotal ? "zero loss" : "MISMATCH")}");
DatabaseReport.Print(options.Database);
if (options.BaselineSeconds > 0)
{
    foreach (var perTransaction in new[] { options.BatchSpans, options.BatchSpans * options.Connections })
    {
        var raw = SqliteBaseline.Measure(options.Database, perTransaction, TimeSpan.FromSeconds(options.BaselineSeconds));
        Console.WriteLine($"SQLite raw append, {perTransaction:N0} rows per transaction, synchronous=FULL: {raw:N0} rows/s; " +
            $"ingest reached {rate / raw:P0} of it");
    }
}
return rows == ackedTotal && failed == 0 ? 0 : 1;

static void PrintMemory(int? pid, long? peakSampled)
{
    if (pid is null)
    {
        return;
    }
    var memory = ServerMemory.Read(pid.Value);
    Console.WriteLine(memory is { } m
        ? $"server {pid}: VmRSS {m.Rss / 1048576.0:N0} MiB now, VmHWM {m.Peak / 1048576.0:N0} MiB peak" +
          (peakSampled is { } s ? $", {s / 1048576.0:N0} MiB largest sampled during the run" : "")
        : $"server {pid}: /proc/{pid}/status not readable");
}
