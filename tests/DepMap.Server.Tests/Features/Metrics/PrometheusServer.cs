using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using DepMap.Tests.Shared;

namespace DepMap.Server.Tests.Features.Metrics;

/// <summary>
/// A real Prometheus (Debian's package, which scripts/test.sh installs) on 127.0.0.1 at a free port,
/// scraping one target every second, with its configuration and storage in a temp folder that goes
/// with it. Queried through its HTTP API as Grafana's Prometheus data source queries it.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;
    private readonly HttpClient _http;

    private PrometheusServer(Process process, string folder, Uri address)
    {
        _process = process;
        _folder = folder;
        _http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public static async Task<PrometheusServer> StartAsync(Uri target)
    {
        var binary = FindBinary();
        var folder = Path.Combine(Path.GetTempPath(), "depmap-prometheus", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        var config = Path.Combine(folder, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: depmap
                static_configs:
                  - targets: ['{target.Authority}']
            """);
        var port = TestMachine.FreePort();
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--config.file=" + config,
            "--storage.tsdb.path=" + Path.Combine(folder, "data"),
            "--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture),
            "--log.level=warn",
        })
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusServer(process, folder, new Uri($"http://127.0.0.1:{port}/"));
        await server.WaitUntilAsync(async () =>
        {
            try
            {
                return (await server._http.GetAsync("-/ready")).StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "Prometheus to be ready");
        return server;
    }

    /// <summary>An instant query at now: each result's labels and value.</summary>
    public async Task<List<(Dictionary<string, string> Labels, double Value)>> QueryAsync(string promql)
    {
        var response = await _http.GetAsync("api/v1/query?query=" + Uri.EscapeDataString(promql) + _time);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{promql}: {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(r => (
                r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
                double.Parse(r.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)))
            .ToList();
    }

    private string _time = "";

    /// <summary>From now on, queries are evaluated at <paramref name="time"/> (Grafana's range end) instead of each at its own now.</summary>
    public void EvaluateAt(DateTimeOffset time) =>
        _time = "&time=" + (time.ToUnixTimeMilliseconds() / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>Polls <paramref name="condition"/> until it holds, for at most two minutes (a loaded machine scrapes late).</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.False(_process.HasExited, $"Prometheus exited with {(_process.HasExited ? _process.ExitCode : 0)} while waiting for {what}");
            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(2), $"timed out waiting for {what}");
            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // The temp folder is cleaned by the OS eventually.
        }
    }

    private static string FindBinary()
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(folder, "prometheus");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("prometheus is not installed: scripts/test.sh installs Debian's package (apt-get install prometheus)");
    }

}
