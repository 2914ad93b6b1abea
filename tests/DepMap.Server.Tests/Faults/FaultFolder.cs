using System.Diagnostics;

namespace DepMap.Server.Tests.Faults;

/// <summary>Data folders with a fault built in: a small filesystem of their own, immutable files.</summary>
internal static class FaultFolder
{
    /// <summary>Mounts a tmpfs of <paramref name="megabytes"/> MiB on a new folder; null with the reason when mounting is not permitted here.</summary>
    public static (string? Folder, string? Reason) MountSmall(int megabytes)
    {
        var folder = DepMapFactory.NewFolder();
        var (code, text) = Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", folder);
        return code == 0 ? (folder, null) : (null, $"mount -t tmpfs failed ({code}): {text.Trim()}");
    }

    public static void Unmount(string folder) => Run("umount", "-l", folder);

    /// <summary>chattr +i / -i: an immutable file refuses writes even to root (ext4, xfs, btrfs; not tmpfs or overlayfs).</summary>
    public static (bool Done, string Reason) SetImmutable(string file, bool immutable)
    {
        var (code, text) = Run("chattr", immutable ? "+i" : "-i", file);
        return (code == 0, text.Trim());
    }

    private static (int Code, string Output) Run(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            return (-1, exception.Message);
        }
    }
}
