using DepMap.Storage.Spans;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace DepMap.Storage.Tests.Statistics;

public class PackedStatisticsMigrationTests
{
    [Fact]
    public async Task Upgrade_PacksEachBucketsStoredEdgesNodesAndLinks_OnSqlite()
    {
        var folder = Path.Combine(Path.GetTempPath(), "depmap-storage-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        try
        {
            var options = new DbContextOptionsBuilder<DepMapDbContext>()
                .UseDepMapSqlite($"Data Source={Path.Combine(folder, "depmap.db")};Pooling=false").Options;
            await using (var db = new DepMapDbContext(options))
            {
                // The last version that stored a row per edge and per node.
                await db.GetService<IMigrator>().MigrateAsync("20261204140000_LinkedTraceRuns");
                await PerEdgeRows.InsertAsync(db);
            }

            await using (var db = new DepMapDbContext(options))
            {
                DepMapDatabase.Migrate(db);
                await PerEdgeRows.AssertPackedAsync(db);
                await PerEdgeRows.AssertLinksPackedAsync(db);
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
