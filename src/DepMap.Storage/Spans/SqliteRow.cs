using System.Runtime.InteropServices;
using SQLitePCL;

namespace DepMap.Storage.Spans;

/// <summary>
/// The columns of a statement's current row, read from SQLite's own getters. Through SQLitePCL every
/// getter took and released the statement's handle and left managed code, six times a row: 2% of a
/// rebuild's CPU for its ten million span rows. The getters only read the row SQLite holds, never
/// block and never call back, so they run without the transition (<see cref="SuppressGCTransitionAttribute"/>).
/// Valid while the statement stays on its row and its handle is held by the caller's <c>using</c>.
/// </summary>
internal readonly ref struct SqliteRow
{
    private readonly IntPtr _statement;

    public SqliteRow(sqlite3_stmt statement) => _statement = statement.DangerousGetHandle();

    public long Int64(int column) => ColumnInt64(_statement, column);

    /// <summary>The blob at <paramref name="column"/>, copied into <paramref name="buffer"/> (grown when too small).</summary>
    public ReadOnlySpan<byte> Blob(int column, ref byte[] buffer)
    {
        var pointer = ColumnBlob(_statement, column);
        var length = ColumnBytes(_statement, column);
        if (pointer == IntPtr.Zero || length <= 0)
        {
            return [];
        }
        if (buffer.Length < length)
        {
            buffer = new byte[Math.Max(length, buffer.Length * 2)];
        }
        Marshal.Copy(pointer, buffer, 0, length);
        return buffer.AsSpan(0, length);
    }

    // DllImport rather than LibraryImport: the generated stubs would need unsafe code in the whole
    // project for calls with blittable arguments, which need no marshalling either way. The library
    // is the one SQLitePCL's provider loads (the same name, resolved from the application's assets).
#pragma warning disable SYSLIB1054
    [DllImport("e_sqlite3", EntryPoint = "sqlite3_column_int64")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    [SuppressGCTransition]
    private static extern long ColumnInt64(IntPtr statement, int column);

    [DllImport("e_sqlite3", EntryPoint = "sqlite3_column_blob")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    [SuppressGCTransition]
    private static extern IntPtr ColumnBlob(IntPtr statement, int column);

    [DllImport("e_sqlite3", EntryPoint = "sqlite3_column_bytes")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    [SuppressGCTransition]
    private static extern int ColumnBytes(IntPtr statement, int column);
#pragma warning restore SYSLIB1054
}
