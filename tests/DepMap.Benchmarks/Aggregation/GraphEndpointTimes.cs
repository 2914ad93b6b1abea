using System.Diagnostics;
using System.Net;
using System.Text.Json;
using DepMap.Core.Statistics;
using DepMap.Server.Features.Graph;

namespace DepMap.Benchmarks.Aggregation;

/// <summary>
/// After <see cref="WindowReads"/>: the real server (<see cref="BenchServer"/>) started on the
/// bench's own database, and <c>GET /graph.json?from=…&amp;to=…</c> timed over loopback HTTP for
/// the same two windows, each answer read to its last byte and checked (200, edges named): one
/// warm-up request (or more), then five that miss the server's query cache, then five that hit it.
/// </summary>
internal static class GraphEndpointTimes
{
    /// <summary>
    /// <paramref name="warmUpRequests"/> uncached requests per window before the timed ones: one
    /// compiles the path, but a server that has just started runs it as quickly compiled code until
    /// .NET's tiered compilation has seen it called often enough; more show what a server that has
    /// been answering for a while does.
    /// </summary>
    public static async Task ReportAsync(IReadOnlyDictionary<string, string> store, long firstStartUnixNano, int warmUpRequests = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(warmUpRequests, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(warmUpRequests, 1_000);
        // The cache keeps answers and window statistics by its own estimate of 4 KiB an edge, node
        // or service: about 10 MB a 500-service window, so the default 64 MiB holds six, fewer than
        // the twelve windows asked for here, and a window about to be asked for again could be gone.
        var settings = new Dictionary<string, string>(store) { ["Graph:CacheMegabytes"] = "1024" };
        await using var server = await BenchServer.StartAsync(settings);
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(5) };
        var from = WindowReads.From(firstStartUnixNano);
        foreach (var (label, length) in WindowReads.Windows)
        {
            // The cache's key holds the window, so each uncached request names its own `to`, a
            // millisecond before the last, all in the minute that ends WindowReads' window: a
            // minute bucket that overlaps an end counts whole (BucketWindow), so every one reads
            // the same buckets as the read it is set beside.
            var end = StatisticsBucket.CeilMs(WindowReads.To(firstStartUnixNano, length).ToUnixTimeMilliseconds(), StatisticsBucket.MinuteMs);
            string Query(int k) => $"/graph.json?from={Iso(from)}&to={Iso(DateTimeOffset.FromUnixTimeMilliseconds(end - k))}";
            for (var w = 0; w < warmUpRequests; w++)
            {
                await GetAsync(http, Query(6 + w));
            }
            var uncached = new List<Answer>();
            var cpuBefore = server.CpuTime();
            for (var k = 1; k <= 5; k++)
            {
                uncached.Add(await GetAsync(http, Query(k)));
            }
            var cpu = (server.CpuTime() - cpuBefore) / uncached.Count;
            // The last uncached request put its answer in the cache.
            var cached = new List<Answer>();
            for (var i = 0; i < 5; i++)
            {
                cached.Add(await GetAsync(http, Query(5)));
            }
            Console.WriteLine($"/graph.json, {label,-4} uncached {Timings.Of(uncached.Select(a => a.Elapsed))} for {uncached[^1].Edges:N0} edges, {uncached[^1].Bytes:N0} bytes");
            Console.WriteLine($"  server CPU          {cpu.TotalMilliseconds:F0} ms an uncached request (both cores, GC included; the database's own CPU on PostgreSQL not)");
            Console.WriteLine($"/graph.json, {label,-4} cached   {Timings.Of(cached.Select(a => a.Elapsed))}");
        }
    }

    private static string Iso(DateTimeOffset instant) => Uri.EscapeDataString(QueryWindow.Iso(instant));

    /// <summary>One request, timed from sending it until the last byte of its body has arrived.</summary>
    private static async Task<Answer> GetAsync(HttpClient http, string query)
    {
        var watch = Stopwatch.StartNew();
        using var response = await http.GetAsync(new Uri(query, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsByteArrayAsync();
        watch.Stop();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET {query}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}");
        }
        using var json = JsonDocument.Parse(body);
        var edges = json.RootElement.GetProperty("edges").GetArrayLength();
        if (edges == 0)
        {
            throw new InvalidOperationException($"GET {query}: a graph with no edges, so the window missed the bench's spans");
        }
        return new Answer(watch.Elapsed, edges, body.Length);
    }

    private sealed record Answer(TimeSpan Elapsed, int Edges, int Bytes);
}
