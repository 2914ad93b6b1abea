using Microsoft.Data.Sqlite;

namespace DepMap.Storage.Spans;

/// <summary>How hard SQLite syncs a commit to disk (SQLite's <c>PRAGMA synchronous</c>).</summary>
public enum SqliteSynchronous
{
    /// <summary>WAL synced at checkpoints only: a commit survives a crash of the process, not of the machine.</summary>
    Normal = 1,
    /// <summary>WAL synced at every commit: a commit survives a power loss.</summary>
    Full = 2,
}

/// <summary>
/// Appends spans to the span table on one dedicated connection, one transaction per call.
/// This bypasses EF Core on purpose: change tracking inserts about 60,000 rows/s on this machine,
/// while one prepared INSERT re-bound and re-executed inside one transaction does about 550,000.
/// Not thread-safe: exactly one writer owns it.
/// </summary>
public sealed class SqliteSpanAppender : IDisposable
{
    private static readonly string InsertSql =
        $"INSERT INTO {SpanRow.Table} ({SpanRow.TraceIdHighColumn}, {SpanRow.TraceIdLowColumn}, " +
        $"{SpanRow.ReceivedAtColumn}, {SpanRow.DataColumn}) VALUES ($high, $low, $receivedAt, $data)";

    /// <summary>How long a commit waits for another writer's lock before it fails (Microsoft.Data.Sqlite's own default).</summary>
    public const int BusyTimeoutMs = 30_000;

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insert;
    private readonly SqliteParameter _high;
    private readonly SqliteParameter _low;
    private readonly SqliteParameter _receivedAt;
    private readonly SqliteParameter _data;

    /// <param name="connectionString">The span database.</param>
    /// <param name="synchronous">How hard each commit syncs.</param>
    /// <param name="checkpointedElsewhere">
    /// True when a <see cref="WalCheckpoints"/> loop copies the WAL into the database on its own
    /// connection: this connection's commits then never do that work themselves.
    /// </param>
    public SqliteSpanAppender(string connectionString, SqliteSynchronous synchronous, bool checkpointedElsewhere = false)
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        // WAL lets the aggregation read while the writer appends, and turns each commit into one
        // sequential append to the log.
        Execute("PRAGMA journal_mode=WAL;");
        Execute($"PRAGMA synchronous={(int)synchronous};");
        // While an aggregation commit holds the write lock, SQLite's own busy handler retries within
        // milliseconds of its release; without it Microsoft.Data.Sqlite retries every 150 ms, which
        // was the whole p99 of ingest with the aggregation running (106 ms at 50,000 spans/s).
        Execute($"PRAGMA busy_timeout={BusyTimeoutMs};");
        if (checkpointedElsewhere)
        {
            Execute("PRAGMA wal_autocheckpoint=0;");
        }

        _insert = _connection.CreateCommand();
        _insert.CommandText = InsertSql;
        _high = _insert.Parameters.Add("$high", SqliteType.Integer);
        _low = _insert.Parameters.Add("$low", SqliteType.Integer);
        _receivedAt = _insert.Parameters.Add("$receivedAt", SqliteType.Integer);
        _data = _insert.Parameters.Add("$data", SqliteType.Blob);
    }

    /// <summary>
    /// Inserts every span of every batch in one transaction and returns once it has committed, so a
    /// caller may acknowledge them. On an exception nothing of the call is stored.
    /// </summary>
    public void Append(IReadOnlyList<IReadOnlyList<EncodedSpan>> batches, long receivedAtUnixMs)
    {
        using var transaction = _connection.BeginTransaction();
        _insert.Transaction = transaction;
        _insert.Prepare();
        _receivedAt.Value = receivedAtUnixMs;
        foreach (var batch in batches)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var span = batch[i];
                _high.Value = span.TraceIdHigh;
                _low.Value = span.TraceIdLow;
                _data.Value = span.Data;
                _insert.ExecuteNonQuery();
            }
        }
        transaction.Commit();
    }

    public void Dispose()
    {
        _insert.Dispose();
        _connection.Dispose();
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
