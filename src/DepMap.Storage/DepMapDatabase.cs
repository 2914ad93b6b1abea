using DepMap.Storage.Spans;
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
            // Always a file: SpanFile refuses an in-memory database before a context exists.
            var folder = Path.GetDirectoryName(Path.GetFullPath(connection.DataSource));
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
        if (db.Database.IsSqlite())
        {
            KeepSpanIdsAboveTheMark(db);
        }
    }

    /// <summary>
    /// A span file deleted or replaced on its own would number new spans from 1 again, below the
    /// aggregation's mark, and the aggregation would never read them. Its id counter is moved up to
    /// the mark instead (nothing changes when it is there already).
    /// </summary>
    private static void KeepSpanIdsAboveTheMark(DepMapDbContext db)
    {
        db.Database.ExecuteSqlRaw(
            $"INSERT INTO {SpanFile.Schema}.sqlite_sequence (name, seq) SELECT 'spans', last_span_id FROM aggregation_state " +
            $"WHERE id = 1 AND NOT EXISTS (SELECT 1 FROM {SpanFile.Schema}.sqlite_sequence WHERE name = 'spans');");
        db.Database.ExecuteSqlRaw(
            $"UPDATE {SpanFile.Schema}.sqlite_sequence SET seq = (SELECT last_span_id FROM aggregation_state WHERE id = 1) " +
            "WHERE name = 'spans' AND seq < (SELECT last_span_id FROM aggregation_state WHERE id = 1);");
    }
}
