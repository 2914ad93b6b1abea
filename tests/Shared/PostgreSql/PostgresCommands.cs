using Npgsql;

namespace DepMap.Tests.Shared.PostgreSql;

/// <summary>One statement on an open connection, for tests that look at or change the database directly.</summary>
public static class PostgresCommands
{
    /// <summary>The first column of the first row, as a count.</summary>
    public static async Task<long> CountAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
