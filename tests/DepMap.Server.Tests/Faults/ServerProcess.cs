using System.Diagnostics;
using DepMap.Tests.Shared;

namespace DepMap.Server.Tests.Faults;

/// <summary>
/// The real DepMap server as a child process (<c>dotnet DepMap.Server.dll</c>, the build the test
/// project was built with) on 127.0.0.1 and a free port, over a data folder of the test's: what an
/// operator runs, so SIGKILL, a full disk or a vanished file hit the real process and its files.
/// </summary>
internal sealed class ServerProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly StreamWriter _log;

    private ServerProcess(Process process, StreamWriter log, Uri address, string folder)
    {
        _process = process;
        _log = log;
        Address = address;
        Folder = folder;
    }

    public Uri Address { get; }

    public string Folder { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public static string DatabasePath(string folder) => Path.Combine(folder, "depmap.db");

    public static string SpanDatabasePath(string folder) => Path.Combine(folder, "depmap.spans.db");

    /// <summary>Starts the server on <paramref name="folder"/> and waits until /healthz answers (any status).</summary>
    public static async Task<ServerProcess> StartAsync(string folder, params string[] settings)
    {
        var port = TestMachine.FreePort();
        var address = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = TestMachine.RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(TestMachine.BuiltServerDll());
        foreach (var argument in (string[])[
            "--urls", address.ToString(),
            $"--ConnectionStrings:DepMap=Data Source={DatabasePath(folder)}",
            "--Hangfire:Storage=InMemory",
            $"--Snapshots:Directory={Path.Combine(folder, "graphs")}",
            // Only the test's own requests start work: no schedule fires in the middle of a fault.
            "--Snapshots:Schedules:hourly:Cron=",
            "--Snapshots:Schedules:daily:Cron=",
            "--Retention:Cron=0 0 1 1 *",
            "--Graph:WarmUpOnStart=false",
            "--Graph:PrerenderDefaultView=false",
            .. settings])
        {
            start.ArgumentList.Add(argument);
        }
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "depmap-tests"));
        var log = new StreamWriter(Path.Combine(Path.GetTempPath(), "depmap-tests", $"server-{port}.log")) { AutoFlush = true };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, log, address, folder);
        await server.WaitUntilAnsweringAsync();
        return server;
    }

    /// <summary>SIGKILL: no shutdown code runs, as when the kernel's OOM killer or a power cut ends the process.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    /// <summary>Whether the process ended on its own within <paramref name="period"/>; its last output lines are then in the log.</summary>
    public bool ExitsWithin(TimeSpan period)
    {
        if (!_process.WaitForExit(period))
        {
            return false;
        }
        // Only the wait without a timeout waits for the redirected output to be read to its end.
        _process.WaitForExit();
        return true;
    }

    /// <summary>Whether the process is still running after <paramref name="period"/> (a crash would have ended it).</summary>
    public bool StaysUpFor(TimeSpan period) => !_process.WaitForExit(period);

    public string LogPath => ((FileStream)_log.BaseStream).Name;

    public string LogText()
    {
        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    public HttpClient Client(TimeSpan? timeout = null) =>
        new() { BaseAddress = Address, Timeout = timeout ?? TimeSpan.FromSeconds(100) };

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // The last lines of a killed process arrive after the test moved on.
            }
        }
    }

    private async Task WaitUntilAnsweringAsync()
    {
        using var client = Client(TimeSpan.FromSeconds(5));
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the server exited with {_process.ExitCode} while starting:\n{LogText()}");
            }
            try
            {
                using var response = await client.GetAsync("/healthz");
                return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"the server did not answer /healthz within {StartTimeout}:\n{LogText()}");
    }
}
