using Microsoft.Data.Sqlite;

namespace DepMap.Storage.Spans;

/// <summary>Why a write to a DepMap file failed, in the words an operator acts on.</summary>
public enum StorageFaultKind
{
    /// <summary>Not a storage fault DepMap knows: a bug or something unforeseen.</summary>
    Other,
    /// <summary>The filesystem has no space left (SQLITE_FULL): freeing space lets writes resume.</summary>
    DiskFull,
    /// <summary>The file or its filesystem refuses writes (SQLITE_READONLY, SQLITE_PERM, EROFS, EPERM).</summary>
    ReadOnly,
    /// <summary>The file was deleted or renamed while open (SQLITE_READONLY_DBMOVED): only a restart creates a new one.</summary>
    Moved,
    /// <summary>The operating system failed a read or write (SQLITE_IOERR).</summary>
    IoError,
}

/// <summary>A storage failure with the message that says what to do about it.</summary>
public sealed record StorageFault(StorageFaultKind Kind, string Message)
{
    private const int SqliteReadOnly = 8;
    private const int SqliteIoError = 10;
    private const int SqliteFull = 13;
    private const int SqlitePerm = 3;
    private const int SqliteReadOnlyDbMoved = SqliteReadOnly | (4 << 8);

    /// <summary>The file is no longer at its path: SQLite would go on writing to the deleted file.</summary>
    public static StorageFault Deleted(string file) =>
        new(StorageFaultKind.Moved, $"{Path.GetFileName(file)} was deleted or moved while DepMap had it open. Restore it, or restart DepMap to create a new one.");

    /// <summary>Classifies an exception from a write to <paramref name="file"/>.</summary>
    public static StorageFault Of(Exception exception, string file)
    {
        var name = Path.GetFileName(file);
        return exception switch
        {
            SqliteException { SqliteErrorCode: SqliteFull } =>
                new(StorageFaultKind.DiskFull, $"The disk is full: {name} cannot grow. Free space on its filesystem; writes resume without a restart."),
            SqliteException { SqliteExtendedErrorCode: SqliteReadOnlyDbMoved } =>
                new(StorageFaultKind.Moved, $"{name} was deleted or moved while DepMap had it open. Restore it, or restart DepMap to create a new one."),
            SqliteException { SqliteErrorCode: SqliteReadOnly or SqlitePerm } or UnauthorizedAccessException =>
                new(StorageFaultKind.ReadOnly, $"{name} is read-only (the file or its filesystem refuses writes). Make it writable; writes resume without a restart."),
            SqliteException { SqliteErrorCode: SqliteIoError } or IOException =>
                new(StorageFaultKind.IoError, $"{name} cannot be written ({exception.Message}): it is read-only or immutable, its permissions changed, or the disk is failing. Fix the cause; writes resume without a restart."),
            _ => new(StorageFaultKind.Other, $"Writing {name} failed: {exception.Message}"),
        };
    }
}
