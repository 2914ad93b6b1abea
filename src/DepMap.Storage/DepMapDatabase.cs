using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage;

/// <summary>Brings a database to the current schema at start.</summary>
public static class DepMapDatabase
{
    /// <summary>
    /// Creates the SQLite file's folder, switches the file to WAL (a property of the file, kept
    /// across connections) and applies pending migrations. Migrations rather than EnsureCreated,
    /// so an existing database is upgraded in place instead of being left behind.
    /// </summary>
    public static void Migrate(DepMapDbContext db)
    {
        if (db.Database.IsSqlite())
        {
            var connection = new SqliteConnectionStringBuilder(db.Database.GetConnectionString());
            var inMemory = connection.Mode == SqliteOpenMode.Memory || connection.DataSource is "" or ":memory:";
            var folder = inMemory ? null : Path.GetDirectoryName(Path.GetFullPath(connection.DataSource));
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }
            db.Database.OpenConnection();
            try
            {
                db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
            }
            finally
            {
                db.Database.CloseConnection();
            }
        }
        db.Database.Migrate();
    }
}
