using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace DepMap.Storage;

/// <summary>Turns a failing result of SQLite's own API into the exception Microsoft.Data.Sqlite would throw.</summary>
internal static class SqliteResults
{
    public static void Check(sqlite3 handle, int result)
    {
        if (result is not (raw.SQLITE_OK or raw.SQLITE_ROW or raw.SQLITE_DONE))
        {
            throw new SqliteException($"SQLite Error {result}: '{raw.sqlite3_errmsg(handle).utf8_to_string()}'.", result);
        }
    }
}
