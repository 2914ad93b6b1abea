namespace DepMap.Storage.PostgreSql;

/// <summary>DepMap's PostgreSQL provider: where its migrations live.</summary>
public static class PostgreSqlStorage
{
    /// <summary>The assembly EF Core finds the PostgreSQL migrations in (the SQLite ones stay in DepMap.Storage).</summary>
    public const string MigrationsAssembly = "DepMap.Storage.PostgreSql";
}
