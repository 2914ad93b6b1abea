using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace DepMap.Rendering;

/// <summary>
/// Runs one Graphviz layout: DOT in on stdin, SVG out on stdout. stdin, stdout and stderr are
/// pumped concurrently, since a large graph fills the pipe buffers and a sequential write-then-read
/// deadlocks. On timeout the whole process tree is killed.
/// </summary>
internal static class GraphvizProcess
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The SVG, or null when <paramref name="timeout"/> passed first.</summary>
    public static async Task<string?> RunAsync(
        string path, string layoutEngine, IEnumerable<string> graphAttributes, string dot, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = Utf8,
            StandardOutputEncoding = Utf8,
            StandardErrorEncoding = Utf8,
        };
        start.ArgumentList.Add("-K" + layoutEngine);
        start.ArgumentList.Add("-Tsvg");
        foreach (var attribute in graphAttributes)
        {
            // -G sets a default: an attribute the DOT text sets itself still wins.
            start.ArgumentList.Add("-G" + attribute);
        }
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw GraphvizNotFoundException.For(path, e);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        var stdin = WriteAsync(process.StandardInput, dot, deadline.Token);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            await Task.WhenAll(stdin, stdout, stderr);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            await Observe(stdin, stdout, stderr);
            cancellationToken.ThrowIfCancellationRequested();
            return null;
        }
        if (process.ExitCode != 0)
        {
            var message = (await stderr).Trim();
            throw new GraphvizException(
                $"Graphviz '{path}' ({layoutEngine}) exited with code {process.ExitCode}: {(message.Length > 500 ? message[..500] : message)}")
            {
                ExitCode = process.ExitCode,
            };
        }
        return await stdout;
    }

    private static async Task WriteAsync(StreamWriter input, string dot, CancellationToken cancellationToken)
    {
        try
        {
            await input.WriteAsync(dot.AsMemory(), cancellationToken);
            await input.FlushAsync(cancellationToken);
        }
        catch (IOException)
        {
            // Graphviz closed stdin early (a syntax error); its exit code and stderr tell why.
        }
        finally
        {
            try
            {
                input.Close();
            }
            catch (IOException)
            {
            }
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited between the timeout and the kill.
        }
    }

    private static async Task Observe(params Task[] tasks)
    {
        foreach (var task in tasks)
        {
            try
            {
                await task;
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
            {
            }
        }
    }
}
