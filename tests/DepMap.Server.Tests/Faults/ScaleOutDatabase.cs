using DepMap.Server.Tests.Aggregation;
using DepMap.Storage;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace DepMap.Server.Tests.Faults;

/// <summary>A fresh PostgreSQL database for the scale-out tests, on the server DEPMAP_TEST_POSTGRES names.</summary>
internal static class ScaleOutDatabase
{
    public static async Task<string> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable("DEPMAP_TEST_POSTGRES");
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new InvalidOperationException("the PostgreSQL tests need DEPMAP_TEST_POSTGRES, an Npgsql connection string to a server where the user may create databases (scripts/test.sh starts one)");
        }
        var name = "depmap_scaleout_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString();
    }

    /// <summary>Every statistics row, as <see cref="StatisticsSnapshot"/> prints them.</summary>
    public static async Task<string> StatisticsAsync(string database)
    {
        var options = new DbContextOptionsBuilder<DepMapDbContext>().UseNpgsql(database).Options;
        await using var db = new DepMapDbContext(options);
        return await StatisticsSnapshot.TakeAsync(db);
    }
}
