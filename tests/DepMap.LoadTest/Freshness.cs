using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace DepMap.LoadTest;

/// <summary>
/// How fresh the graph is (issue 15): sends calls at a steady rate, each a CLIENT span of one caller
/// and the SERVER span of a callee, the server span sent up to <c>--spread</c> seconds after the
/// client span (as exporters in different services send their batches), and reports for every call
/// the time from the acknowledgement of its last span to its being counted on <c>/graph.json</c>.
/// Calls are grouped in cohorts of <c>--cohort</c> seconds by when their last span (the server's)
/// is sent, each cohort calling a callee of its own, so a cohort is counted when its edge's call
/// count reaches the cohort's size; a call's figure is therefore an upper bound by at most the
/// cohort's width and the poll interval. The run also checks
/// exactness: every edge ends with exactly its cohort's calls. With <c>--url2</c> the server spans go to
/// a second instance (several instances on one PostgreSQL database): every trace is split across two.
///   dotnet tests/DepMap.LoadTest/bin/Release/net10.0/DepMap.LoadTest.dll freshness [--url http://127.0.0.1:5080] [--url2 URL]
///     [--rate 10000 (spans/s)] [--seconds 60] [--spread 10] [--cohort 1] [--batch 1000] [--poll-ms 250]
///     [--wait 120 (seconds to wait for the last cohorts)] [--server-pid PID] [--warmup 0 (seconds)]
/// With <c>--warmup W</c> a first pass of W seconds at the same rate and spread (traces and a caller of
/// its own) runs before the measured one, so that the measured pass sees a server whose code is
/// compiled and whose database already holds traces: the steady state, not the first minute.
/// </summary>
internal static class Freshness
{
    private const double TickSeconds = 0.1;

    public static async Task<int> RunAsync(string[] args)
    {
        if (Array.IndexOf(args, "--warmup") is var w && w >= 0 && w + 1 < args.Length
            && double.Parse(args[w + 1], CultureInfo.InvariantCulture) is var warmup && warmup > 0)
        {
            var measured = args.Where((_, i) => i != w && i != w + 1).ToArray();
            // Value below takes a flag's first occurrence: the warm-up's --seconds goes first.
            string[] warm = ["--seconds", args[w + 1], .. measured];
            Console.WriteLine($"warm-up pass ({warmup} s, not measured):");
            await RunAsync(warm);
            Console.WriteLine("measured pass:");
            return await RunAsync(measured);
        }
        string? Value(string name) => Array.IndexOf(args, name) is var i && i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        double Number(string name, double fallback) => Value(name) is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;
        var url = new Uri((Value("--url") ?? "http://127.0.0.1:5080").TrimEnd('/') + "/");
        if (!url.IsLoopback)
        {
            Console.Error.WriteLine($"refusing {url}: the load generator only targets loopback addresses");
            return 2;
        }
        var url2 = Value("--url2") is { } second ? new Uri(second.TrimEnd('/') + "/") : url;
        if (!url2.IsLoopback)
        {
            Console.Error.WriteLine($"refusing {url2}: the load generator only targets loopback addresses");
            return 2;
        }
        var rate = Math.Clamp(Number("--rate", 10_000), 10, 1_000_000);
        var seconds = Math.Clamp(Number("--seconds", 60), 1, 900);
        var spread = Math.Clamp(Number("--spread", 10), 0, 60);
        var cohortSeconds = Math.Clamp(Number("--cohort", 1), TickSeconds, 60);
        var batch = (int)Math.Clamp(Number("--batch", 1000), 10, 100_000);
        var poll = TimeSpan.FromMilliseconds(Math.Clamp(Number("--poll-ms", 250), 20, 10_000));
        var wait = TimeSpan.FromSeconds(Math.Clamp(Number("--wait", 120), 1, 900));
        // One server's pid, or several separated by commas (their CPU is summed).
        var serverPids = (Value("--server-pid") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();

        // Service numbers of this run: svc-{first} calls svc-{first + 1 + cohort}; a random start keeps runs apart.
        var first = Random.Shared.Next(1_000_000, 9_000_000);
        var ticks = (int)Math.Round(seconds / TickSeconds);
        var callsPerTick = Math.Max(1, (int)Math.Round(rate * TickSeconds / 2));
        var ticksPerCohort = Math.Max(1, (int)Math.Round(cohortSeconds / TickSeconds));
        var spreadTicks = (int)Math.Ceiling(spread / TickSeconds);
        var cohorts = (ticks + spreadTicks + ticksPerCohort) / ticksPerCohort;
        var totalCalls = ticks * callsPerTick;
        // A call's cohort is the one its last span is sent in, so a cohort is whole soon after its
        // own sends and the spread shows as re-links, not as waiting for another call's span.
        var cohortOf = new int[totalCalls];
        var perCohort = new long[cohorts];
        Console.WriteLine($"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
        Console.WriteLine($"target {url}v1/traces" + (url2 != url ? $" (client spans) and {url2}v1/traces (server spans)" : "") +
            $" (OTLP protobuf): {callsPerTick * 2 / TickSeconds:N0} spans/s for {seconds} s, " +
            $"server spans up to {spread} s after their client span, {cohorts} cohorts of {cohortSeconds} s, caller svc-{first}");

        var callerAck = new double[totalCalls];
        var calleeAck = new double[totalCalls];
        Array.Fill(callerAck, double.NaN);
        Array.Fill(calleeAck, double.NaN);
        // Seeded by the run's first service number: a second run against the same server (a warm-up
        // first) sends traces of its own, not the first run's again as late spans.
        var random = new Random(first);
        var due = new List<(int Call, LoadSpan Span)>[ticks + spreadTicks + 2];
        for (var i = 0; i < due.Length; i++)
        {
            due[i] = [];
        }

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        using var http2 = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = url2, Timeout = TimeSpan.FromSeconds(30) };
        var clock = Stopwatch.StartNew();
        long acked = 0, refused = 0, failed = 0;
        var sends = new List<Task>();
        var serverCpuBefore = ServersCpu(serverPids);
        var counted = new double[cohorts];
        Array.Fill(counted, double.NaN);
        var finalCounts = new long[cohorts];
        using var stopPolling = new CancellationTokenSource();
        // A cohort's size is known once every call that can fall in it has been made.
        var generatedTicks = 0;
        bool Whole(int cohort) => Volatile.Read(ref generatedTicks) >= Math.Min(ticks, (cohort + 1) * ticksPerCohort);
        var poller = Task.Run(() => PollAsync(http, first, perCohort, Whole, counted, finalCounts, clock, poll, stopPolling.Token));

        for (var tick = 0; tick < due.Length; tick++)
        {
            var at = TimeSpan.FromSeconds(tick * TickSeconds) - clock.Elapsed;
            if (at > TimeSpan.Zero)
            {
                await Task.Delay(at);
            }
            var spans = new List<(int Call, bool Client, LoadSpan Span)>();
            if (tick < ticks)
            {
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
                for (var c = 0; c < callsPerTick; c++)
                {
                    var call = tick * callsPerTick + c;
                    var traceId = new byte[16];
                    random.NextBytes(traceId);
                    var clientId = (ulong)random.NextInt64(1, long.MaxValue);
                    var serverTick = tick + (int)Math.Round(random.NextDouble() * spread / TickSeconds);
                    var cohort = serverTick / ticksPerCohort;
                    cohortOf[call] = cohort;
                    Interlocked.Increment(ref perCohort[cohort]);
                    var client = new LoadSpan(traceId, clientId, 0, true, first, "GET /items", now, now + 2_000_000, false, []);
                    var server = new LoadSpan(traceId, (ulong)random.NextInt64(1, long.MaxValue), clientId, false, first + 1 + cohort,
                        "GET /items", now + 100_000, now + 1_800_000, false, []);
                    spans.Add((call, true, client));
                    due[serverTick].Add((call, server));
                }
            }
            Volatile.Write(ref generatedTicks, Math.Min(ticks, tick + 1));
            spans.AddRange(due[tick].Select(d => (d.Call, false, d.Span)));
            foreach (var chunk in spans.Where(s => s.Client).Chunk(batch))
            {
                sends.Add(SendAsync(http, chunk));
            }
            foreach (var chunk in spans.Where(s => !s.Client).Chunk(batch))
            {
                sends.Add(SendAsync(http2, chunk));
            }
            sends.RemoveAll(t => t.IsCompleted);
        }
        await Task.WhenAll(sends);
        var sentFor = clock.Elapsed.TotalSeconds;
        var deadline = clock.Elapsed + wait;
        while (Enumerable.Range(0, cohorts).Any(c => perCohort[c] > 0 && double.IsNaN(counted[c])) && clock.Elapsed < deadline && !poller.IsCompleted)
        {
            await Task.Delay(poll);
        }
        await stopPolling.CancelAsync();
        await poller;
        var serverCpuAfter = ServersCpu(serverPids);

        var lags = new List<double>(totalCalls);
        for (var call = 0; call < totalCalls; call++)
        {
            var cohort = cohortOf[call];
            var ack = Math.Max(callerAck[call], calleeAck[call]);
            if (!double.IsNaN(ack) && !double.IsNaN(counted[cohort]))
            {
                lags.Add(counted[cohort] - ack);
            }
        }
        lags.Sort();
        double Percentile(double q) => lags.Count == 0 ? double.NaN : lags[Math.Min(lags.Count - 1, (int)(q * lags.Count))];
        // Rounding can leave the last cohorts empty: they have nothing to count.
        cohorts = perCohort.Count(n => n > 0);
        var countedCohorts = counted.Count(c => !double.IsNaN(c));
        var wrong = Enumerable.Range(0, perCohort.Length).Count(c => finalCounts[c] != perCohort[c]);
        // Over is a counting error; short is a cohort the aggregation had not reached by the deadline.
        var over = Enumerable.Range(0, perCohort.Length).Count(c => finalCounts[c] > perCohort[c]);
        Console.WriteLine($"acknowledged {acked:N0} spans in {sentFor:F1} s ({acked / sentFor:N0} spans/s), refused {refused:N0}, failed {failed:N0}");
        Console.WriteLine($"counted {countedCohorts} of {cohorts} cohorts; calls whose cohort was counted: {lags.Count:N0} of {totalCalls:N0}");
        Console.WriteLine($"acknowledgement to counted on /graph.json (upper bound per call): p50 {Percentile(0.5):F1} s, " +
            $"p99 {Percentile(0.99):F1} s, max {Percentile(1):F1} s");
        Console.WriteLine($"exactness: {cohorts - wrong} of {cohorts} edges hold exactly their cohort's calls" +
            (wrong > 0 ? $" ({wrong} do not: {over} over, {wrong - over} short, not counted yet at the deadline)" : ""));
        if (serverCpuBefore is { } before && serverCpuAfter is { } after)
        {
            Console.WriteLine($"server CPU {(after - before).TotalSeconds:F1} s over {clock.Elapsed.TotalSeconds:F1} s " +
                $"({(after - before).TotalSeconds / clock.Elapsed.TotalSeconds:F2} cores)");
        }
        return countedCohorts == cohorts && wrong == 0 && failed == 0 ? 0 : 1;

        async Task SendAsync(HttpClient target, (int Call, bool Client, LoadSpan Span)[] chunk)
        {
            var body = OtlpProtobufPayload.Write(chunk.Select(c => c.Span));
            while (true)
            {
                var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
                try
                {
                    using var response = await target.PostAsync("v1/traces", content);
                    if (response.IsSuccessStatusCode)
                    {
                        var now = clock.Elapsed.TotalSeconds;
                        foreach (var (call, isClient, _) in chunk)
                        {
                            (isClient ? callerAck : calleeAck)[call] = now;
                        }
                        Interlocked.Add(ref acked, chunk.Length);
                        return;
                    }
                    if ((int)response.StatusCode is not (429 or 503))
                    {
                        Interlocked.Increment(ref failed);
                        Console.Error.WriteLine($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                        return;
                    }
                    // As OTLP exporters do: wait what Retry-After says, then send the same spans again.
                    Interlocked.Increment(ref refused);
                    await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromMilliseconds(100));
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref failed);
                    return;
                }
            }
        }
    }

    private static TimeSpan? ServersCpu(int[] pids) =>
        pids.Length == 0 ? null : pids.Aggregate(TimeSpan.Zero, (sum, pid) => sum + (ServerMemory.CpuTime(pid) ?? TimeSpan.Zero));

    // Reads /graph.json every poll; a cohort is counted at the first poll whose edge holds all its calls.
    private static async Task PollAsync(HttpClient http, int first, long[] perCohort, Func<int, bool> whole, double[] counted, long[] finalCounts, Stopwatch clock, TimeSpan poll, CancellationToken stop)
    {
        var caller = $"svc-{first}";
        var index = new Dictionary<string, int>();
        for (var c = 0; c < perCohort.Length; c++)
        {
            index[$"svc-{first + 1 + c}"] = c;
        }
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var stream = await http.GetStreamAsync($"graph.json?lookback=1h&focus={caller}&depth=1", stop);
                var read = clock.Elapsed.TotalSeconds;
                using var graph = await JsonDocument.ParseAsync(stream, cancellationToken: stop);
                foreach (var edge in graph.RootElement.GetProperty("edges").EnumerateArray())
                {
                    if (edge.GetProperty("source").GetString() == caller && index.TryGetValue(edge.GetProperty("target").GetString()!, out var cohort))
                    {
                        var calls = edge.GetProperty("callCount").GetInt64();
                        finalCounts[cohort] = calls;
                        if (double.IsNaN(counted[cohort]) && whole(cohort) && calls >= Volatile.Read(ref perCohort[cohort]))
                        {
                            counted[cohort] = read;
                        }
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException)
            {
                // Not yet: the caller is unknown (404 for focus) until its first call is counted.
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await Task.Delay(poll, CancellationToken.None);
        }
    }
}
