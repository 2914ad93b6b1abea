namespace DepMap.LoadTest;

/// <summary>
/// The server's memory from Linux's /proc/&lt;pid&gt;/status: VmRSS (resident now) and VmHWM (the
/// resident peak since the process started), in bytes; null when the process is gone or not Linux.
/// </summary>
internal static class ServerMemory
{
    public static (long Rss, long Peak)? Read(int pid)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{pid}/status");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        return (Kilobytes(lines, "VmRSS:"), Kilobytes(lines, "VmHWM:"));
    }

    /// <summary>Samples VmRSS every half second until <paramref name="until"/>; returns the largest seen.</summary>
    public static async Task<long> SamplePeakAsync(int pid, Func<bool> until)
    {
        long peak = 0;
        while (!until())
        {
            peak = Math.Max(peak, Read(pid)?.Rss ?? 0);
            await Task.Delay(500);
        }
        return peak;
    }

    private static long Kilobytes(string[] lines, string field)
    {
        var line = lines.FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
