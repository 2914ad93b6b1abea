using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.PostgreSql;

/// <summary>Brings a PostgreSQL database to the current schema at start, one instance at a time.</summary>
public static class PostgreSqlDatabase
{
    /// <summary>
    /// The advisory lock key the migration holds (an arbitrary constant: "DepMap" in ASCII), so
    /// instances starting together against one database migrate one after another; the later ones
    /// find nothing left to apply.
    /// </summary>
    public const long MigrationLockKey = 0x4465704D6170;

    /// <summary>
    /// Applies pending migrations under a session advisory lock held on the context's own
    /// connection, which EF Core's migrator then uses too. The database itself must exist: creating
    /// it is the operator's choice of owner, encoding and storage.
    /// </summary>
    public static void Migrate(DepMapDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        db.Database.OpenConnection();
        try
        {
            db.Database.ExecuteSqlRaw($"SELECT pg_advisory_lock({MigrationLockKey})");
            try
            {
                db.Database.Migrate();
            }
            finally
            {
                db.Database.ExecuteSqlRaw($"SELECT pg_advisory_unlock({MigrationLockKey})");
            }
        }
        finally
        {
            db.Database.CloseConnection();
        }
    }
}
