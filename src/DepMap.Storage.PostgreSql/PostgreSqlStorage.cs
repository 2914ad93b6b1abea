using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.PostgreSql;

/// <summary>DepMap's PostgreSQL provider: where its migrations live, and how a context uses it.</summary>
public static class PostgreSqlStorage
{
    /// <summary>The assembly EF Core finds the PostgreSQL migrations in (the SQLite ones stay in DepMap.Storage).</summary>
    public const string MigrationsAssembly = "DepMap.Storage.PostgreSql";

    /// <summary>Uses the PostgreSQL database at <paramref name="connectionString"/> with DepMap's PostgreSQL migrations.</summary>
    public static DbContextOptionsBuilder UseDepMapPostgreSql(this DbContextOptionsBuilder options, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(MigrationsAssembly));
    }

    /// <inheritdoc cref="UseDepMapPostgreSql(DbContextOptionsBuilder, string)"/>
    public static DbContextOptionsBuilder<DepMapDbContext> UseDepMapPostgreSql(this DbContextOptionsBuilder<DepMapDbContext> options, string connectionString)
    {
        UseDepMapPostgreSql((DbContextOptionsBuilder)options, connectionString);
        return options;
    }
}
