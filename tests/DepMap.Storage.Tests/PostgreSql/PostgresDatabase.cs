using DepMap.Core.Spans;
using DepMap.Storage.Spans;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace DepMap.Storage.Tests.PostgreSql;

/// <summary>
/// A fresh database on the server named by DEPMAP_TEST_POSTGRES (an Npgsql connection string; the
/// test command starts a throwaway cluster), dropped afterwards, with the schema the PostgreSQL
/// provider's migration creates: the EF model's tables and the span table of the schema contract.
/// </summary>
internal sealed class PostgresDatabase : IDisposable
{
    public const string Variable = "DEPMAP_TEST_POSTGRES";

    private readonly string _admin;
    private readonly string _name = "depmap_test_" + Guid.NewGuid().ToString("n");

    public PostgresDatabase()
    {
        _admin = Environment.GetEnvironmentVariable(Variable)
            ?? throw new InvalidOperationException($"{Variable} is not set: point it at a PostgreSQL server (scripts/postgres.sh start DIR prints one).");
        using (var admin = new NpgsqlConnection(_admin))
        {
            admin.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {_name}", admin);
            create.ExecuteNonQuery();
        }
        // Without pooling, a session a test terminates is never handed out again.
        ConnectionString = new NpgsqlConnectionStringBuilder(_admin) { Database = _name, Pooling = false }.ConnectionString;
        Options = new DbContextOptionsBuilder<DepMapDbContext>().UseNpgsql(ConnectionString).Options;
        using var db = new DepMapDbContext(Options);
        db.Database.EnsureCreated();
        Execute("""
            DROP TABLE spans;
            CREATE SEQUENCE spans_id_seq;
            CREATE TABLE spans (
              id bigint NOT NULL DEFAULT nextval('spans_id_seq'),
              trace_id_high bigint NOT NULL, trace_id_low bigint NOT NULL,
              received_at_unix_ms bigint NOT NULL, data bytea NOT NULL,
              tx xid8 NOT NULL DEFAULT pg_current_xact_id()
            ) PARTITION BY RANGE (received_at_unix_ms);
            CREATE TABLE spans_all PARTITION OF spans DEFAULT;
            CREATE INDEX ix_spans_tx_id ON spans (tx, id);
            CREATE INDEX ix_spans_id ON spans (id);
            CREATE TABLE aggregation_mark (id smallint PRIMARY KEY, last_tx xid8 NOT NULL, last_span_id bigint NOT NULL);
            """);
    }

    public string ConnectionString { get; }

    public DbContextOptions<DepMapDbContext> Options { get; }

    public DepMapDbContext Open() => new(Options);

    public NpgsqlConnection Connect()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>Stores spans in one transaction received at <paramref name="receivedAtUnixMs"/>, as ingest does.</summary>
    public void Append(IEnumerable<Span> spans, long receivedAtUnixMs)
    {
        using var connection = Connect();
        using var transaction = connection.BeginTransaction();
        Append(connection, spans, receivedAtUnixMs);
        transaction.Commit();
        WaitForOlderTransactions();
    }

    /// <summary>
    /// Waits until no transaction older than the newest committed span is still running anywhere on
    /// the server: the aggregation takes spans in below the oldest running transaction, and that
    /// bound is the whole cluster's, so another test's open transaction holds this one back for a moment.
    /// </summary>
    public void WaitForOlderTransactions()
    {
        using var connection = Connect();
        using var check = new NpgsqlCommand(
            "SELECT coalesce(pg_snapshot_xmin(pg_current_snapshot()) > (SELECT max(tx) FROM spans), true)", connection);
        for (var attempt = 0; check.ExecuteScalar() is not true; attempt++)
        {
            if (attempt == 3_000)
            {
                throw new TimeoutException("A transaction on the test server stayed open for 30 s.");
            }
            Thread.Sleep(10);
        }
    }

    /// <summary>Inserts spans on <paramref name="connection"/>, inside whatever transaction it has open.</summary>
    public static void Append(NpgsqlConnection connection, IEnumerable<Span> spans, long receivedAtUnixMs)
    {
        var encoded = spans.Select(EncodedSpan.From).ToArray();
        using var insert = new NpgsqlCommand(
            "INSERT INTO spans (trace_id_high, trace_id_low, received_at_unix_ms, data) " +
            "SELECT high, low, @at, data FROM unnest(@high, @low, @data) WITH ORDINALITY AS s(high, low, data, n) ORDER BY n",
            connection);
        insert.Parameters.Add(new NpgsqlParameter<long[]>("high", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. encoded.Select(s => s.TraceIdHigh)] });
        insert.Parameters.Add(new NpgsqlParameter<long[]>("low", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. encoded.Select(s => s.TraceIdLow)] });
        insert.Parameters.Add(new NpgsqlParameter<byte[][]>("data", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { TypedValue = [.. encoded.Select(s => s.Data)] });
        insert.Parameters.AddWithValue("at", receivedAtUnixMs);
        insert.ExecuteNonQuery();
    }

    public void Execute(string sql)
    {
        using var connection = Connect();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        using var admin = new NpgsqlConnection(_admin);
        admin.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", admin);
        drop.ExecuteNonQuery();
    }
}
