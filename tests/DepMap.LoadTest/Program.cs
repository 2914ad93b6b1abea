using System.Diagnostics;
using System.Net.Http.Headers;
using DepMap.LoadTest;
using Microsoft.Data.Sqlite;

// A bounded loopback load generator for a DepMap server that is already running. It starts
// nothing itself, sends only to the URL given (loopback), and stops after --seconds (at most 120).
//   dotnet run -c Release --project tests/DepMap.LoadTest -- --url http://127.0.0.1:4318 --db data/depmap.db
//     [--services 50] [--batch 512] [--connections 8] [--seconds 10] [--rate SPANS_PER_SECOND]
var options = Args.Parse(args);
if (!options.Url.IsLoopback)
{
    Console.Error.WriteLine($"refusing {options.Url}: the load generator only targets loopback addresses");
    return 2;
}

Console.WriteLine($"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
Console.WriteLine($"target {options.Url}v1/traces, {options.Services} services, {options.BatchSpans}-span batches, " +
    $"{options.Connections} connections, {options.Seconds} s, " +
    (options.Rate > 0 ? $"paced at {options.Rate:N0} spans/s" : "as fast as acknowledged"));

// Payloads are built before the clock starts, so the generator's own work is not measured.
var topology = new SyntheticTopology(options.Services, seed: 42);
var payloads = Enumerable.Range(0, 256).Select(_ => topology.NextBatch(options.BatchSpans)).ToArray();
var startId = options.Database is null ? 0 : MaxSpanId(options.Database);

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Connections })
{
    BaseAddress = options.Url,
    Timeout = TimeSpan.FromSeconds(30),
};
var latencies = new List<double>[options.Connections];
long ackedSpans = 0, refused = 0, failed = 0;
var clock = Stopwatch.StartNew();
var deadline = TimeSpan.FromSeconds(options.Seconds);
var workers = Enumerable.Range(0, options.Connections).Select(worker => Task.Run(async () =>
{
    var mine = latencies[worker] = [];
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
        var content = new ByteArrayContent(payloads[i % payloads.Length]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        var sent = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.PostAsync("v1/traces", content);
            if (response.IsSuccessStatusCode)
            {
                mine.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                Interlocked.Add(ref ackedSpans, options.BatchSpans);
            }
            else if ((int)response.StatusCode is 429 or 503)
            {
                Interlocked.Increment(ref refused);
                await Task.Delay(100);
            }
            else
            {
                Interlocked.Increment(ref failed);
            }
        }
        catch (HttpRequestException)
        {
            Interlocked.Increment(ref failed);
        }
    }
})).ToArray();
await Task.WhenAll(workers);
var elapsed = clock.Elapsed.TotalSeconds;

var all = latencies.SelectMany(l => l).Order().ToArray();
double Percentile(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(p * all.Length))];
Console.WriteLine($"acknowledged {ackedSpans:N0} spans in {elapsed:F1} s: {ackedSpans / elapsed:N0} spans/s");
Console.WriteLine($"ack latency p50 {Percentile(0.50):F1} ms, p99 {Percentile(0.99):F1} ms over {all.Length:N0} requests");
Console.WriteLine($"refused (429/503) {refused:N0}, failed {failed:N0}");
if (options.Database is not null)
{
    var rows = SpanRowsAfter(options.Database, startId);
    Console.WriteLine($"rows stored {rows:N0} vs spans acknowledged {ackedSpans:N0}: {(rows == ackedSpans ? "zero loss" : "MISMATCH")}");
    return rows == ackedSpans ? 0 : 1;
}
return 0;

static long MaxSpanId(string database) => Scalar(database, "SELECT coalesce(max(id), 0) FROM spans", 0);

static long SpanRowsAfter(string database, long id) => Scalar(database, "SELECT count(*) FROM spans WHERE id > $id", id);

static long Scalar(string database, string sql, long id)
{
    using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly");
    connection.Open();
    using var command = connection.CreateCommand();
    command.CommandText = sql;
    command.Parameters.AddWithValue("$id", id);
    return (long)command.ExecuteScalar()!;
}
