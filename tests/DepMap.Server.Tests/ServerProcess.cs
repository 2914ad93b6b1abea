using System.Diagnostics;
using System.Globalization;
using System.Net;
using DepMap.Tests.Shared;

namespace DepMap.Server.Tests;

/// <summary>
/// The real server as its own process (the built DepMap.Server.dll, from the repository root so
/// the root appsettings.json applies) on a free loopback port and its own data folder: for fault
/// tests that need the process's resident memory, which an in-process host shares with the tests.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;
    private readonly ProcessOutputTail _log = new();

    private ServerProcess(Process process, string folder, Uri address)
    {
        _process = process;
        _folder = folder;
        Address = address;
    }

    public Uri Address { get; }

    public string SpanDatabasePath => Path.Combine(_folder, "depmap.spans.db");

    public static Task<ServerProcess> StartAsync(params string[] settings) =>
        StartWithEnvironmentAsync(new Dictionary<string, string?>(), settings);

    /// <summary>
    /// As <see cref="StartAsync"/>, with <paramref name="environment"/> set for the process (the
    /// runtime's own settings, for one); a null value removes a variable the test runner has.
    /// </summary>
    public static async Task<ServerProcess> StartWithEnvironmentAsync(IReadOnlyDictionary<string, string?> environment, params string[] settings)
    {
        var root = TestMachine.RepositoryRoot();
        var dll = TestMachine.BuiltServerDll();
        var folder = DepMapFactory.NewFolder();
        var port = TestMachine.FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            dll,
            $"--urls=http://127.0.0.1:{port}",
            "--Kestrel:EndpointDefaults:Protocols=Http1",
            $"--ConnectionStrings:DepMap=Data Source={Path.Combine(folder, "depmap.db")}",
            "--Hangfire:Storage=InMemory",
            $"--Snapshots:Directory={Path.Combine(folder, "graphs")}",
            "--Graph:WarmUpOnStart=false",
            "--Logging:LogLevel:Default=Warning",
        }.Concat(settings))
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }
        var process = Process.Start(start)!;
        var server = new ServerProcess(process, folder, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => server._log.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server._log.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(process.HasExited, $"the server exited with code {(process.HasExited ? process.ExitCode : 0)}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), "the server did not answer /healthz within 90 s");
            try
            {
                if ((await http.GetAsync(new Uri(server.Address, "/healthz"))).StatusCode == HttpStatusCode.OK)
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

    /// <summary>What the server has written so far (its last 2,000 lines), for a failing test's message.</summary>
    public string LogText() => _log.ToString();

    /// <summary>VmRSS from /proc, in bytes.</summary>
    public long ResidentBytes()
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

}
