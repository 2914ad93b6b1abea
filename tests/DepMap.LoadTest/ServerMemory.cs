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

    /// <summary>
    /// CPU time the process has used (user + system, from /proc/&lt;pid&gt;/stat), so a run can say
    /// how many of the machine's cores the server took and how many the generator took.
    /// </summary>
    public static TimeSpan? CpuTime(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        // Fields after the parenthesised command name: state is field 3, utime 14, stime 15, in clock ticks (100 per second on Linux).
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    private static long Kilobytes(string[] lines, string field)
    {
        var line = lines.FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
