using DepMap.Storage.PostgreSql;
using DepMap.Storage.Tests.Statistics;
using DepMap.Tests.Shared.PostgreSql;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using static DepMap.Tests.Shared.PostgreSql.PostgresCommands;

namespace DepMap.Storage.Tests.PostgreSql;

public class PostgreSqlMigrationTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Migrate_CreatesEveryModelTableAndThePartitionedSpanTable()
    {
        await using var connection = await database.ConnectAsync();
        var tables = await ListAsync(connection,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' " +
            // Day partitions come and go with the spans (another test of this class makes one).
            "AND table_name !~ '^spans_[0-9]{8}$' ORDER BY 1");
        string[] expected =
        [
            "aggregation_mark", "aggregation_state", "declared_models", "graph_stats",
            "reliability_stats", "snapshots", "spans", "spans_default", "trace_links", "traces", "zipkin_link_packs",
        ];
        Assert.Equal(expected, tables.Where(t => t != "__EFMigrationsHistory"));
        var partitioned = await ListAsync(connection,
            "SELECT c.relname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid");
        Assert.Equal(["spans"], partitioned);
    }

    [Fact]
    public async Task Migrations_MatchTheModel()
    {
        await using var db = database.Open();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.False(db.Database.HasPendingModelChanges());
    }

    [Fact]
    public async Task SpanPartition_MovesRowsOfItsDayOutOfTheDefaultPartition_KeepingIdAndTransaction()
    {
        // 2026-01-02T03:04:05Z: a day no other test of this class writes.
        const long receivedAt = 1_767_323_045_000;
        await using var connection = await database.ConnectAsync();
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO spans (trace_id_high, trace_id_low, received_at_unix_ms, data) VALUES (1, 2, @at, '\\x01')", connection))
        {
            insert.Parameters.AddWithValue("at", receivedAt);
            await insert.ExecuteNonQueryAsync();
        }
        var before = await ListAsync(connection, "SELECT id::text || '/' || tx::text FROM spans_default");

        await using (var partition = new NpgsqlCommand("SELECT depmap_span_partition(@at)", connection))
        {
            partition.Parameters.AddWithValue("at", receivedAt);
            Assert.Equal("spans_20260102", await partition.ExecuteScalarAsync());
        }

        Assert.Empty(await ListAsync(connection, "SELECT id::text FROM spans_default"));
        Assert.Equal(before, await ListAsync(connection, "SELECT id::text || '/' || tx::text FROM spans_20260102"));
        var bound = await ListAsync(connection,
            "SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = 'spans_20260102'");
        Assert.Equal(["FOR VALUES FROM ('1767312000000') TO ('1767398400000')"], bound);
    }

    [Fact]
    public async Task Upgrade_PacksEachBucketsStoredEdgesNodesAndLinks()
    {
        await using var empty = await PostgresDatabase.CreateEmptyAsync();
        await using (var db = empty.Open())
        {
            // The last version that stored a row per edge and per node.
            await db.GetService<IMigrator>().MigrateAsync("20261203093000_SpanIdIndexPostgreSql");
            await PerEdgeRows.InsertAsync(db);
        }

        await using (var db = empty.Open())
        {
            PostgreSqlDatabase.Migrate(db);
            await PerEdgeRows.AssertPackedAsync(db);
            await PerEdgeRows.AssertLinksPackedAsync(db);
        }
    }

    [Fact]
    public async Task Migrate_AppliesEachMigrationOnce_WhenTwoInstancesStartTogether()
    {
        await using var empty = await PostgresDatabase.CreateEmptyAsync();
        // Both wait at the same gate, then migrate the same empty database at once, as two
        // instances starting together do.
        using var gate = new Barrier(2);
        var runs = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            using var db = empty.Open();
            gate.SignalAndWait();
            PostgreSqlDatabase.Migrate(db);
        })).ToArray();
        await Task.WhenAll(runs);

        await using var connection = await empty.ConnectAsync();
        var applied = await ListAsync(connection, "SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\"");
        await using var db = empty.Open();
        Assert.Equal(db.Database.GetMigrations(), applied);
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    public async Task Migrate_WaitsForTheAdvisoryLock_WhileAnotherInstanceHoldsIt()
    {
        await using var empty = await PostgresDatabase.CreateEmptyAsync();
        await using var holder = await empty.ConnectAsync();
        await ExecuteAsync(holder, $"SELECT pg_advisory_lock({PostgreSqlDatabase.MigrationLockKey})");

        var migrate = Task.Run(() =>
        {
            using var db = empty.Open();
            PostgreSqlDatabase.Migrate(db);
        });
        // Until another session is seen waiting for an advisory lock in this database (or the
        // migration ends, which would be the failure).
        while (!migrate.IsCompleted && (await ListAsync(holder,
            "SELECT pid::text FROM pg_locks WHERE locktype = 'advisory' AND NOT granted " +
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")).Count == 0)
        {
            await Task.Delay(50);
        }

        Assert.False(migrate.IsCompleted);
        Assert.Equal([""], await ListAsync(holder, "SELECT coalesce(to_regclass('\"__EFMigrationsHistory\"')::text, '')"));
        await ExecuteAsync(holder, $"SELECT pg_advisory_unlock({PostgreSqlDatabase.MigrationLockKey})");
        await migrate;
        await using var db = empty.Open();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    private static async Task<List<string>> ListAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }
        return values;
    }
}
