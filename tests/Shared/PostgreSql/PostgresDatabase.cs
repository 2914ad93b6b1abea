using DepMap.Storage;
using DepMap.Storage.PostgreSql;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace DepMap.Tests.Shared.PostgreSql;

/// <summary>
/// A fresh database on the PostgreSQL server named by <c>DEPMAP_TEST_POSTGRES</c> (an Npgsql
/// connection string whose user may CREATE DATABASE), migrated as the host migrates it, dropped
/// afterwards. One per test class (<c>IClassFixture&lt;PostgresDatabase&gt;</c>); scripts/test.sh
/// starts a throwaway server and sets the variable, a developer may point it at their own server.
/// </summary>
public sealed class PostgresDatabase : IAsyncLifetime
{
    public const string Variable = "DEPMAP_TEST_POSTGRES";

    private readonly bool _migrate;

    public PostgresDatabase()
        : this(migrate: true)
    {
    }

    private PostgresDatabase(bool migrate, string? name = null)
    {
        _migrate = migrate;
        Name = name ?? "depmap_test_" + Guid.NewGuid().ToString("n");
        ConnectionString = new NpgsqlConnectionStringBuilder(ServerConnectionString()) { Database = Name }.ToString();
        Options = new DbContextOptionsBuilder<DepMapDbContext>().UseDepMapPostgreSql(ConnectionString).Options;
    }

    /// <summary>The database's name (depmap_test_ and a new guid).</summary>
    public string Name { get; }

    /// <summary>The Npgsql connection string of this database.</summary>
    public string ConnectionString { get; }

    public DbContextOptions<DepMapDbContext> Options { get; }

    /// <summary>A created database with no schema yet (for the migration tests); dispose it to drop it.</summary>
    public static async Task<PostgresDatabase> CreateEmptyAsync()
    {
        var database = new PostgresDatabase(migrate: false);
        await database.InitializeAsync();
        return database;
    }

    /// <summary>
    /// The database of a test host's folder (the service tests run on PostgreSQL): named after the
    /// folder, so a host started again on the same folder finds what the first one stored, as it
    /// finds its SQLite files. Created empty when missing (the host migrates it at start); dispose
    /// it with the folder to drop it.
    /// </summary>
    public static PostgresDatabase ForFolder(string folder)
    {
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(folder))));
        var database = new PostgresDatabase(migrate: false, "depmap_test_" + hash[..32]);
        using var server = new NpgsqlConnection(ServerConnectionString());
        server.Open();
        using var exists = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = @name", server);
        exists.Parameters.AddWithValue("name", database.Name);
        if ((long)exists.ExecuteScalar()! == 0)
        {
            using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Name}\"", server);
            create.ExecuteNonQuery();
        }
        return database;
    }

    /// <summary>The server's connection string from <c>DEPMAP_TEST_POSTGRES</c>, or a failure that says how to set it.</summary>
    public static string ServerConnectionString() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"The PostgreSQL tests need a server: set {Variable} to an Npgsql connection string whose user may " +
                "CREATE DATABASE (e.g. Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres). scripts/test.sh " +
                "sets it to a throwaway cluster it starts with `scripts/postgres.sh start DIR`; run that yourself and " +
                "export the string it prints to run these tests alone.");

    public DepMapDbContext Open() => new(Options);

    /// <summary>An open connection to this database.</summary>
    public async Task<NpgsqlConnection> ConnectAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task InitializeAsync()
    {
        await using (var server = new NpgsqlConnection(ServerConnectionString()))
        {
            await server.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{Name}\"", server);
            await create.ExecuteNonQueryAsync();
        }
        if (_migrate)
        {
            await using var db = Open();
            PostgreSqlDatabase.Migrate(db);
        }
    }

    public async Task DisposeAsync()
    {
        // Pooled connections of this database would keep it busy; FORCE ends any a host left open.
        await using (var pooled = new NpgsqlConnection(ConnectionString))
        {
            NpgsqlConnection.ClearPool(pooled);
        }
        await using var server = new NpgsqlConnection(ServerConnectionString());
        await server.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", server);
        await drop.ExecuteNonQueryAsync();
    }
}
