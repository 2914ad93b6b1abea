using System.Diagnostics;
using System.Net.Http.Headers;
using DepMap.LoadTest;

// A bounded loopback load generator for a DepMap server that is already running. It starts
// nothing itself, sends only to the URL given (loopback), and stops after --seconds (at most 120).
//   dotnet tests/DepMap.LoadTest/bin/Release/net10.0/DepMap.LoadTest.dll --db data/depmap.db
//     [--format otlp-protobuf|otlp-json|zipkin] [--url URL] [--services 50] [--batch 512]
//     [--connections 8 (concurrent requests, at most 2000)] [--seconds 10] [--rate SPANS_PER_SECOND] [--server-pid PID]
//     [--sqlite-baseline SECONDS] [--report]
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
    $"{options.BatchSpans}-span batches, {options.Connections} connections, {options.Seconds} s, " +
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
long ackedSpans = 0, refused = 0, failed = 0;
var serverCpuBefore = options.ServerPid is { } serverPid ? ServerMemory.CpuTime(serverPid) : null;
var generatorCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
var clock = Stopwatch.StartNew();
var deadline = TimeSpan.FromSeconds(options.Seconds);
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
            if (response.IsSuccessStatusCode)
            {
                mine.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                Interlocked.Add(ref ackedSpans, options.BatchSpans);
            }
            else if ((int)response.StatusCode is 429 or 503)
            {
                // As OTLP exporters do: wait what Retry-After says (100 ms when it says nothing).
                Interlocked.Increment(ref refused);
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromMilliseconds(100));
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
var elapsed = clock.Elapsed.TotalSeconds;
var peakSampled = await sampler;
var generatorCores = (Process.GetCurrentProcess().TotalProcessorTime - generatorCpuBefore).TotalSeconds / elapsed;
var serverCpuAfter = options.ServerPid is { } pidAfter ? ServerMemory.CpuTime(pidAfter) : null;

var all = latencies.SelectMany(l => l).Order().ToArray();
double Percentile(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(p * all.Length))];
var rate = ackedSpans / elapsed;
Console.WriteLine($"acknowledged {ackedSpans:N0} spans in {elapsed:F1} s: {rate:N0} spans/s");
Console.WriteLine($"ack latency p50 {Percentile(0.50):F1} ms, p99 {Percentile(0.99):F1} ms, max {Percentile(1):F1} ms over {all.Length:N0} requests");
Console.WriteLine($"refused (429/503) {refused:N0}, failed {failed:N0}");
PrintMemory(options.ServerPid, peakSampled);
Console.WriteLine($"cores used: load generator {generatorCores:F2}" +
    (serverCpuBefore is { } before && serverCpuAfter is { } after ? $", server {(after - before).TotalSeconds / elapsed:F2}" : "") +
    $" of {Environment.ProcessorCount}");
if (options.Database is null)
{
    return failed == 0 ? 0 : 1;
}
var rows = DatabaseReport.SpanRowsAfter(options.Database, startId);
Console.WriteLine($"rows stored {rows:N0} vs spans acknowledged {ackedSpans:N0}: {(rows == ackedSpans ? "zero loss" : "MISMATCH")}");
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
return rows == ackedSpans && failed == 0 ? 0 : 1;

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
