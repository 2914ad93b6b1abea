using System.Net;
using DepMap.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DepMap.Server.Tests;

[Collection(ServerCollection.Name)]
public class HostTests(DepMapFactory factory)
{
    [Fact]
    public async Task Healthz_Returns200_WhenHostIsUp()
    {
        var response = await factory.CreateClient().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Trait("Provider", "Sqlite")]
    [Fact]
    public void Startup_AppliesEveryMigration_WhenDatabaseIsNew()
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<DepMapDbContext>();

        Assert.Empty(db.Database.GetPendingMigrations());
        Assert.Contains(db.Database.GetAppliedMigrations(), m => m.EndsWith("_InitialSpans", StringComparison.Ordinal));
        Assert.True(File.Exists(factory.DatabasePath));
        Assert.True(File.Exists(factory.SpanDatabasePath));
    }

    [Trait("Provider", "Sqlite")]
    [Fact]
    public async Task Startup_PutsTheDatabaseInWalMode_WhenDatabaseIsNew()
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<DepMapDbContext>();
        await db.Database.OpenConnectionAsync();
        using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        var database = await command.ExecuteScalarAsync();
        command.CommandText = "PRAGMA spanfile.journal_mode;";
        var spanFile = await command.ExecuteScalarAsync();

        Assert.Equal(("wal", "wal"), (database, spanFile));
    }
}

[Trait("Provider", "Sqlite")]
public class InMemoryDatabaseTests
{
    [Fact]
    public void Start_FailsSayingAFileIsNeeded_WhenTheDatabaseIsInMemory()
    {
        using var factory = new DepMapFactory(DepMapFactory.NewFolder(), ownsFolder: true, new() { ["ConnectionStrings:DepMap"] = "Data Source=:memory:" });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("DepMap needs a database file", error.ToString(), StringComparison.Ordinal);
    }
}
