using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using DepMap.Tests.Shared;

namespace DepMap.Cli.Tests;

/// <summary>
/// <c>depmap snapshot</c> and <c>depmap diff --head http://…</c> against the real DepMap server,
/// started as its own process on a free port over a fresh database: what the CLI reads is what
/// the server really answers, not what a stand-in was told to.
/// </summary>
public sealed partial class RealServerTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task SnapshotThenDiff_FindTheEdgeAddedSinceTheBaseline_WhenRunAgainstTheRealServer()
    {
        await using var server = await DepMapServerProcess.StartAsync(_temp.File("server"));
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
        var start = DateTimeOffset.UtcNow.AddMinutes(-5);
        await SendAsync(http, start, 0x100, ("frontend", "orders"), ("orders", "payments"));
        var baseline = _temp.File("baseline.json");

        var saved = await Cli.RunAsync("snapshot", "--server", server.Url, "--lookback", "1h", "-o", baseline, "--label", "ci");
        var unchanged = await Cli.RunAsync("diff", "--base", baseline, "--head", server.Url, "--fail-on", "added-edge,removed-edge");
        await SendAsync(http, start.AddMinutes(1), 0x200, ("orders", "inventory"));
        var changed = await Cli.RunAsync("diff", "--base", baseline, "--head", server.Url, "--fail-on", "added-edge", "--format", "json");

        Assert.True(saved.ExitCode == 0, saved.Stderr);
        Assert.Contains("\"orders\"", await File.ReadAllTextAsync(baseline), StringComparison.Ordinal);
        Assert.True(unchanged.ExitCode == 0, unchanged.Stdout + unchanged.Stderr);
        Assert.True(changed.ExitCode == 1, changed.Stdout + changed.Stderr);
        Assert.Contains("inventory", changed.Stdout, StringComparison.Ordinal);
    }

    /// <summary>One Zipkin client span per call, then a flush, so the statistics hold them.</summary>
    private static async Task SendAsync(HttpClient http, DateTimeOffset at, ulong traceBase, params (string Caller, string Callee)[] calls)
    {
        var micros = at.ToUnixTimeMilliseconds() * 1000;
        var spans = calls.Select((call, i) => string.Create(CultureInfo.InvariantCulture,
            $$$"""{"traceId":"{{{traceBase + (ulong)i:x32}}}","id":"000000000000000a","kind":"CLIENT","name":"call","timestamp":{{{micros}}},"duration":1000,"localEndpoint":{"serviceName":"{{{call.Caller}}}"},"remoteEndpoint":{"serviceName":"{{{call.Callee}}}"}}"""));
        var ingest = await http.PostAsync("/api/v2/spans", new StringContent($"[{string.Join(",", spans)}]", Encoding.UTF8, "application/json"));
        Assert.True(ingest.IsSuccessStatusCode, await ingest.Content.ReadAsStringAsync());
        var flush = await http.PostAsync("/api/aggregate?flush=true", null);
        Assert.True(flush.IsSuccessStatusCode, await flush.Content.ReadAsStringAsync());
    }

    /// <summary>The built DepMap.Server, run with <c>dotnet</c> on 127.0.0.1 port 0; its URL read from its start-up log.</summary>
    private sealed partial class DepMapServerProcess : IAsyncDisposable
    {
        private readonly Process _process;

        private DepMapServerProcess(Process process, string url)
        {
            _process = process;
            Url = url;
        }

        public string Url { get; }

        public static async Task<DepMapServerProcess> StartAsync(string folder)
        {
            Directory.CreateDirectory(folder);
            var root = TestMachine.RepositoryRoot();
            var dll = TestMachine.BuiltServerDll();
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
            {
                WorkingDirectory = root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var arg in new[]
            {
                dll, "--urls", "http://127.0.0.1:0",
                $"--ConnectionStrings:DepMap=Data Source={Path.Combine(folder, "depmap.db")}",
                "--Hangfire:Storage=InMemory",
                $"--Snapshots:Directory={Path.Combine(folder, "graphs")}",
                "--Snapshots:Schedules:hourly:Cron=", "--Snapshots:Schedules:daily:Cron=",
                "--Graph:WarmUpOnStart=false",
                "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
            })
            {
                start.ArgumentList.Add(arg);
            }
            var process = Process.Start(start)!;
            var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            var log = new StringBuilder();
            void Read(object? _, DataReceivedEventArgs e)
            {
                if (e.Data is null)
                {
                    return;
                }
                lock (log)
                {
                    log.AppendLine(e.Data);
                }
                if (ListeningOn().Match(e.Data) is { Success: true } match)
                {
                    listening.TrySetResult(match.Groups[1].Value);
                }
            }
            process.OutputDataReceived += Read;
            process.ErrorDataReceived += Read;
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new DepMapServerProcess(process, "");
            try
            {
                var url = await listening.Task.WaitAsync(TimeSpan.FromMinutes(2));
                return new DepMapServerProcess(process, url);
            }
            catch (TimeoutException)
            {
                await server.DisposeAsync();
                lock (log)
                {
                    throw new InvalidOperationException("DepMap.Server did not report its address within 2 minutes:\n" + log);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
            _process.Dispose();
        }

        [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:[0-9]+)")]
        private static partial Regex ListeningOn();
    }
}
