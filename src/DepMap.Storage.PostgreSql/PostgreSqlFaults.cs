using DepMap.Storage.Spans;
using Npgsql;

namespace DepMap.Storage.PostgreSql;

/// <summary>Why a write to PostgreSQL failed, in the words an operator acts on (SQLite's are <see cref="StorageFault.Of"/>).</summary>
public static class PostgreSqlFaults
{
    /// <summary>Classifies an exception from a write to the database at <paramref name="connectionString"/>.</summary>
    public static StorageFault Of(Exception exception, string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var database = $"PostgreSQL database {builder.Database} at {builder.Host}:{builder.Port}";
        return exception switch
        {
            // SQLSTATE 53100 disk_full, 25006 read_only_sql_transaction (a standby, or
            // default_transaction_read_only), 42501 insufficient_privilege.
            PostgresException { SqlState: "53100" } =>
                new(StorageFaultKind.DiskFull, $"The disk of the {database} is full. Free space on the server; writes resume without a restart."),
            PostgresException { SqlState: "25006" or "42501" } =>
                new(StorageFaultKind.ReadOnly, $"The {database} refuses writes ({exception.Message}). Point ConnectionStrings:DepMap at the primary with a user that may write; writes resume once it accepts them."),
            // Class 08 connection exceptions, 57P0x shutting down or starting, 28 authentication,
            // 3D000 no such database, 55000 connections not allowed (ALTER DATABASE ... ALLOW_CONNECTIONS false).
            PostgresException { SqlState: var state } when state.StartsWith("08", StringComparison.Ordinal)
                || state.StartsWith("57P", StringComparison.Ordinal) || state.StartsWith("28", StringComparison.Ordinal) || state is "3D000" or "55000" =>
                Unreachable(database, exception),
            PostgresException => new(StorageFaultKind.Other, $"Writing to the {database} failed: {exception.Message}"),
            NpgsqlException or TimeoutException => Unreachable(database, exception),
            _ => new(StorageFaultKind.Other, $"Writing to the {database} failed: {exception.Message}"),
        };
    }

    private static StorageFault Unreachable(string database, Exception exception) =>
        new(StorageFaultKind.IoError, $"The {database} cannot be reached ({exception.Message}). Writes resume without a restart once it answers.");
}
