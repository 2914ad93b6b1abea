using DepMap.Core.Spans;
using DepMap.Storage.Spans;
using DepMap.Tests.Shared.PostgreSql;
using Npgsql;
using NpgsqlTypes;

namespace DepMap.Storage.Tests.PostgreSql;

/// <summary>The aggregation tests' use of a <see cref="PostgresDatabase"/>: a fresh one per test, spans stored as ingest stores them.</summary>
internal static class PostgresSpans
{
    /// <summary>A fresh migrated database: each test starts from an empty span table and mark.</summary>
    public static async Task<Fresh> FreshAsync()
    {
        var database = new PostgresDatabase();
        await database.InitializeAsync();
        return new Fresh(database);
    }

    /// <summary>Stores spans in one transaction received at <paramref name="receivedAtUnixMs"/>, then waits for older transactions.</summary>
    public static async Task AppendAsync(this PostgresDatabase database, IEnumerable<Span> spans, long receivedAtUnixMs)
    {
        await using var connection = await database.ConnectAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await AppendAsync(connection, spans, receivedAtUnixMs);
        await transaction.CommitAsync();
    }

    /// <summary>
    /// Inserts spans on <paramref name="connection"/>, inside whatever transaction it has open, into
    /// their day's partition (made first on a session of its own, as ingest makes it before its commit).
    /// </summary>
    public static async Task AppendAsync(NpgsqlConnection connection, IEnumerable<Span> spans, long receivedAtUnixMs)
    {
        await using (var partitions = new NpgsqlConnection(connection.ConnectionString))
        {
            await partitions.OpenAsync();
            await using var partition = new NpgsqlCommand("SELECT depmap_span_partition(@at)", partitions);
            partition.Parameters.AddWithValue("at", receivedAtUnixMs);
            await partition.ExecuteScalarAsync();
        }
        var encoded = spans.Select(EncodedSpan.From).ToArray();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO spans (trace_id_high, trace_id_low, received_at_unix_ms, data) " +
            "SELECT high, low, @at, data FROM unnest(@high, @low, @data) WITH ORDINALITY AS s(high, low, data, n) ORDER BY n",
            connection);
        insert.Parameters.Add(new NpgsqlParameter<long[]>("high", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. encoded.Select(s => s.TraceIdHigh)] });
        insert.Parameters.Add(new NpgsqlParameter<long[]>("low", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. encoded.Select(s => s.TraceIdLow)] });
        insert.Parameters.Add(new NpgsqlParameter<byte[][]>("data", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { TypedValue = [.. encoded.Select(s => s.Data)] });
        insert.Parameters.AddWithValue("at", receivedAtUnixMs);
        await insert.ExecuteNonQueryAsync();
    }

    /// <summary>A database dropped when the test ends.</summary>
    internal sealed class Fresh(PostgresDatabase database) : IAsyncDisposable
    {
        public PostgresDatabase Database { get; } = database;

        public ValueTask DisposeAsync() => new(Database.DisposeAsync());
    }
}
