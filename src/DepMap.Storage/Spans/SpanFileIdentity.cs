using Microsoft.Win32.SafeHandles;

namespace DepMap.Storage.Spans;

/// <summary>
/// Tells whether the file SQLite has open is still the one at its path. SQLite in WAL mode goes on
/// committing to a file deleted under it, and anything that attaches the path afterwards creates a
/// new, empty file there: a path check alone then passes while every commit lands in the deleted
/// file. On Linux the process's own descriptor names the file it points to (<c>/proc/self/fd</c>,
/// with " (deleted)" once unlinked); elsewhere the path's existence is all there is to check.
/// </summary>
public sealed class SpanFileIdentity
{
    private readonly string _path;
    private readonly string? _descriptorLink;
    // Never closed: closing any descriptor of a SQLite file drops every POSIX lock this process
    // holds on it (sqlite.org/howtocorrupt.html, 2.2). It lives as long as the process.
    private readonly SafeFileHandle? _handle;

    public SpanFileIdentity(string path)
    {
        _path = Path.GetFullPath(path);
        if (OperatingSystem.IsLinux() && Directory.Exists("/proc/self/fd"))
        {
            _handle = File.OpenHandle(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            _descriptorLink = $"/proc/self/fd/{_handle.DangerousGetHandle()}";
        }
    }

    /// <summary>True while the path still leads to the file opened at start.</summary>
    public bool IsStillAtItsPath() => _descriptorLink is null
        ? File.Exists(_path)
        : new FileInfo(_descriptorLink).LinkTarget == _path;
}
