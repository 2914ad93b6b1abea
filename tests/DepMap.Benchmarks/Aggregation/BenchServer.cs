using System.Diagnostics;
using System.Globalization;
using System.Net;
using DepMap.Tests.Shared;

namespace DepMap.Benchmarks.Aggregation;

/// <summary>
/// The real DepMap server as a process of its own: the built DepMap.Server.dll, run from the
/// repository root so the root appsettings.json applies as it does in production, on a free
/// loopback port, with the bench's settings as environment variables over it. A process rather
/// than an in-process host, so what is timed is what a client gets (Kestrel, the host's
/// middleware, its own heap and GC) and not the bench's heap after a million-span flush.
/// </summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;
    private readonly ProcessOutputTail _log = new();

    private BenchServer(Process process, string folder, Uri address)
    {
        _process = process;
        _folder = folder;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>Starts the server on the store <paramref name="store"/> names and waits until <c>/healthz</c> answers 200.</summary>
    public static async Task<BenchServer> StartAsync(IReadOnlyDictionary<string, string> store)
    {
        var root = TestMachine.RepositoryRoot();
        var dll = TestMachine.BuiltServerDll();
        var folder = Path.Combine(Path.GetTempPath(), "depmap-bench-server", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        var port = TestMachine.FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var (name, value) in Quiet(port, folder).Concat(store))
        {
            start.Environment[name.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = Process.Start(start)!;
        var server = new BenchServer(process, folder, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => server._log.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server._log.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(90))
            {
                var log = server.LogText();
                await server.DisposeAsync();
                throw new InvalidOperationException($"the server did not answer /healthz within 90 s (exited: {process.HasExited}):\n{log}");
            }
            try
            {
                using var health = await http.GetAsync(new Uri(server.Address, "/healthz"));
                if (health.StatusCode == HttpStatusCode.OK)
                {
                    return server;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
    }

    /// <summary>
    /// A server that only answers: nothing aggregates, trims or snapshots while a bench times it,
    /// and it writes nothing outside its own folder (Hangfire in memory, snapshots in the folder).
    /// </summary>
    private static IEnumerable<KeyValuePair<string, string>> Quiet(int port, string folder) =>
        new Dictionary<string, string>
        {
            // Replaces the three endpoints of appsettings.json (PreferHostingUrls).
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Kestrel:EndpointDefaults:Protocols"] = "Http1",
            ["Hangfire:Storage"] = "InMemory",
            // 31 February, Hangfire's Cron.Never(): the recurring aggregation and the retention
            // (which would trim the bench's week-old minute buckets) must not run.
            ["Aggregation:Cron"] = "0 0 31 2 *",
            ["Aggregation:WakeOnIngest"] = "false",
            ["Retention:Cron"] = "0 0 31 2 *",
            // An empty Cron switches a schedule off.
            ["Snapshots:Schedules:hourly:Cron"] = "",
            ["Snapshots:Schedules:daily:Cron"] = "",
            ["Snapshots:Directory"] = Path.Combine(folder, "graphs"),
            // The warm-up's dot run would overlap the bench's first requests; the bench sends its own warm-up request.
            ["Graph:WarmUpOnStart"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };

    /// <summary>
    /// The CPU time the server's process has used on all its threads (GC included), from
    /// /proc/&lt;pid&gt;/stat: utime and stime, in USER_HZ ticks, which Linux fixes at 100 a second.
    /// </summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        // The command name in parentheses may hold spaces: the fields are counted after it (state is 3, utime 14, stime 15).
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 10);
    }

    /// <summary>What the server has written so far (its last 2,000 lines), for an error message.</summary>
    public string LogText() => _log.ToString();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // It only read: nothing is lost by not stopping it gracefully.
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

}
