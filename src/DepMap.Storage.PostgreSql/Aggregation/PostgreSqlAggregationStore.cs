using DepMap.Core.Spans;
using DepMap.Storage.Aggregation;
using DepMap.Storage.Spans;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace DepMap.Storage.PostgreSql.Aggregation;

/// <summary>
/// One run's PostgreSQL connections: one reads, links and holds the run's advisory lock, one
/// commits, a third reads the span batches. Npgsql directly, not EF Core, on every per-batch path.
/// <para>
/// The mark is (writing transaction, span id). Concurrent ingest transactions take ids from one
/// sequence and commit in any order, so an id mark would pass a span whose transaction commits
/// later and never link it. A run reads only spans whose transaction is below the oldest one of this
/// database still running (<see cref="ReadBoundAsync"/>): each of those has committed or rolled back
/// for good, so no span can ever appear at or below the new mark. Spans of later transactions wait
/// for the next run.
/// </para>
/// </summary>
internal sealed class PostgreSqlAggregationStore : IAggregationStore
{
    /// <summary>
    /// The advisory lock every instance's runs take: "DepMapAg" in ASCII, apart from the migration's
    /// (<see cref="PostgreSqlDatabase.MigrationLockKey"/>) and out of the way of other users of the database.
    /// </summary>
    public const long LockKey = 0x4465704D61704167;

    private const string MarkSql = "SELECT last_tx, last_span_id FROM aggregation_mark WHERE id = 1";
    private const string InsertMarkSql = "INSERT INTO aggregation_mark (id, last_tx, last_span_id) VALUES (1, @tx, @id) ON CONFLICT (id) DO NOTHING";
    private const string MoveMarkSql = "UPDATE aggregation_mark SET last_tx = @tx, last_span_id = @id WHERE id = 1 AND last_tx = @fromTx AND last_span_id = @fromId";
    private const string SnapshotSql = "SELECT pg_snapshot_xmax(s), ARRAY(SELECT pg_snapshot_xip(s)) FROM pg_current_snapshot() AS s";
    // Only a session of this database can write its span table; a prepared transaction keeps its database too.
    private const string OursSql =
        "SELECT backend_xid FROM pg_stat_activity WHERE datname = current_database() AND backend_xid IS NOT NULL " +
        "UNION ALL SELECT transaction FROM pg_prepared_xacts WHERE database = current_database()";
    // A transaction id of its own, committed at once: greater than every one already assigned, so
    // than that of every transaction that has written a span. (A snapshot's xmax is one past the
    // newest *completed* transaction and can equal a running one's id.)
    private const string HorizonSql = "SELECT pg_current_xact_id()";

    private const string TailSql =
        "SELECT tx, id, trace_id_low FROM spans WHERE (tx, id) > (@tx, @id) ORDER BY tx DESC, id DESC";

    private const string RangeSql =
        "SELECT tx, id, trace_id_high, trace_id_low, received_at_unix_ms, data FROM spans " +
        "WHERE (tx, id) > (@tx, @id) AND (tx, id) <= (@endTx, @endId) ORDER BY tx, id LIMIT @limit";

    private const string ManySql = "SELECT id, trace_id_high, trace_id_low, data FROM spans WHERE id = ANY(@ids)";

    private readonly DbContextOptions<DepMapDbContext> _options;
    private readonly DepMapDbContext _db;
    private readonly DepMapDbContext _commits;
    private readonly SpanStrings _strings = new();
    private bool _locked;

    private PostgreSqlAggregationStore(DbContextOptions<DepMapDbContext> options)
    {
        _options = options;
        _db = new DepMapDbContext(options);
        _commits = new DepMapDbContext(options);
    }

    public DepMapDbContext Reads => _db;

    private NpgsqlConnection Connection => (NpgsqlConnection)_db.Database.GetDbConnection();

    public static async Task<PostgreSqlAggregationStore> OpenAsync(DbContextOptions<DepMapDbContext> options, CancellationToken cancellationToken)
    {
        var store = new PostgreSqlAggregationStore(options);
        try
        {
            await store._db.Database.OpenConnectionAsync(cancellationToken);
            await store._commits.Database.OpenConnectionAsync(cancellationToken);
            return store;
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    /// <summary>Takes the run's advisory lock on the reading session; without <paramref name="wait"/>, false at once when another run holds it.</summary>
    public async Task<bool> LockAsync(bool wait, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(wait ? "SELECT pg_advisory_lock(@key)" : "SELECT pg_try_advisory_lock(@key)", Connection);
        command.Parameters.AddWithValue("key", LockKey);
        var result = await command.ExecuteScalarAsync(cancellationToken);
        _locked = wait || result is true;
        return _locked;
    }

    public async Task<SpanPosition?> ReadMarkAsync(CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(MarkSql, Connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new SpanPosition(unchecked((long)reader.GetFieldValue<ulong>(0)), reader.GetInt64(1))
            : null;
    }

    /// <summary>
    /// The bound is read once, before the range: a transaction below it has ended, so every later
    /// statement of the run sees all of its spans. For a settled run, walks back from the newest
    /// visible span to the last one below the bound; the traces of the visible spans at or above it
    /// wait for a later run (they are still being written, so still receiving).
    /// </summary>
    public async Task<SpanPosition> ReadEndAsync(SpanPosition after, bool flush, HashSet<long> unsettledTraces, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unsettledTraces);
        if (flush)
        {
            return new SpanPosition(await WaitForFlushHorizonAsync(cancellationToken) - 1, long.MaxValue);
        }
        var xmin = await ReadBoundAsync(cancellationToken);
        await using var command = new NpgsqlCommand(TailSql, Connection);
        AddPosition(command, "tx", "id", after);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var tx = unchecked((long)reader.GetFieldValue<ulong>(0));
            if (tx < xmin)
            {
                return new SpanPosition(tx, reader.GetInt64(1));
            }
            unsettledTraces.Add(reader.GetInt64(2));
        }
        return after;
    }

    public List<TraceRow> ReadPending(long arrivedBy, (long Arrival, long TraceIdLow)? after, int limit)
    {
        // The pending rows' index (pending, last arrival) answers it: a range of its pending half, in order.
        using var command = new NpgsqlCommand(
            $"SELECT {TraceRows.Columns} FROM {TraceRow.Table} WHERE {TraceRow.PendingColumn} AND {TraceRow.LastArrivalColumn} <= @arrivedBy " +
            $"AND ({TraceRow.LastArrivalColumn}, {TraceRow.TraceIdLowColumn}) > (@afterArrival, @afterTrace) " +
            $"ORDER BY {TraceRow.LastArrivalColumn}, {TraceRow.TraceIdLowColumn} LIMIT @limit",
            Connection);
        var (afterArrival, afterTrace) = after ?? (long.MinValue, long.MinValue);
        command.Parameters.AddWithValue("arrivedBy", arrivedBy);
        command.Parameters.AddWithValue("afterArrival", afterArrival);
        command.Parameters.AddWithValue("afterTrace", afterTrace);
        command.Parameters.AddWithValue("limit", limit);
        using var reader = command.ExecuteReader();
        return [.. TraceRows.ReadAll(reader, []).Values.OrderBy(r => r.LastArrivalUnixMs).ThenBy(r => r.TraceIdLow)];
    }

    /// <summary>
    /// A flush links every span acknowledged before it began, but the bound is this database's oldest
    /// running transaction: a span committed just now sits above a transaction that began earlier and
    /// is still running (another instance's ingest, a retention pass). So a flush first waits until every transaction that had begun when it
    /// started has ended (the bound passes a transaction id the flush takes itself), for
    /// at most <see cref="FlushHorizonWait"/>: a session left idle in a transaction would hold it
    /// forever, and then the flush links what it can and says what held it back.
    /// </summary>
    private async Task<long> WaitForFlushHorizonAsync(CancellationToken cancellationToken)
    {
        var horizon = await ScalarXidAsync(HorizonSql, cancellationToken);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var xmin = await ReadBoundAsync(cancellationToken);
            if (xmin >= horizon || waited.Elapsed >= FlushHorizonWait)
            {
                if (xmin < horizon)
                {
                    HeldBack = $"a transaction older than the flush (xid {xmin}) was still running after {FlushHorizonWait.TotalSeconds:F0} s; spans committed after it wait for the next run";
                }
                return xmin;
            }
            await Task.Delay(10, cancellationToken);
        }
    }

    /// <summary>How long a flush waits for the transactions running when it began to end.</summary>
    public static TimeSpan FlushHorizonWait { get; } = TimeSpan.FromSeconds(30);

    /// <summary>Why the last flush could not take in every span committed before it began, if it could not.</summary>
    public string? HeldBack { get; private set; }

    /// <summary>
    /// The oldest transaction of this database still running, or the next transaction id when none
    /// is: every transaction below it that could write a span has ended. The server's own oldest
    /// (<c>pg_snapshot_xmin</c>) would do too, but counts every database of the cluster, so a long
    /// report or dump in another database would hold the graph back for as long as it runs.
    /// </summary>
    private async Task<long> ReadBoundAsync(CancellationToken cancellationToken)
    {
        ulong xmax;
        ulong[] running;
        await using (var snapshot = new NpgsqlCommand(SnapshotSql, Connection))
        await using (var reader = await snapshot.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            xmax = reader.GetFieldValue<ulong>(0);
            running = reader.GetFieldValue<ulong[]>(1);
        }
        if (running.Length == 0)
        {
            return unchecked((long)xmax);
        }
        // Read after the snapshot, in a statement of its own (a session's activity is read once per
        // transaction): a transaction of this database running at the snapshot shows here as still
        // running or has ended since, and one begun after it is at or above xmax. The activity view
        // gives 32-bit ids; two running transactions never share their low 32 bits.
        var ours = new HashSet<uint>();
        await using (var activity = new NpgsqlCommand(OursSql, Connection))
        await using (var reader = await activity.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                ours.Add(reader.GetFieldValue<uint>(0));
            }
        }
        var bound = xmax;
        foreach (var xid in running)
        {
            if (xid < bound && ours.Contains(unchecked((uint)xid)))
            {
                bound = xid;
            }
        }
        return unchecked((long)bound);
    }

    private async Task<long> ScalarXidAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, Connection);
        return unchecked((long)(ulong)(await command.ExecuteScalarAsync(cancellationToken))!);
    }

    public async Task<SpanBatches> OpenBatchesAsync(SpanPosition after, SpanPosition end, int batchSize, bool readAhead, CancellationToken cancellationToken)
    {
        var db = new DepMapDbContext(_options);
        await db.Database.OpenConnectionAsync(cancellationToken);
        var reader = new BatchReader(db, end);
        return new SpanBatches(reader.Read, reader, after, batchSize, readAhead);
    }

    public bool AnyTraceLinks()
    {
        using var command = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM {TraceLinkRow.Table})", Connection);
        return command.ExecuteScalar() is true;
    }

    public List<(long Target, long Source)> SourcesOf(IReadOnlyCollection<long> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var pairs = new List<(long, long)>();
        if (targets.Count == 0)
        {
            return pairs;
        }
        using var command = new NpgsqlCommand(
            $"SELECT {TraceLinkRow.TargetColumn}, {TraceLinkRow.SourceColumn} FROM {TraceLinkRow.Table} WHERE {TraceLinkRow.TargetColumn} = ANY(@ids)",
            Connection);
        command.Parameters.Add(new NpgsqlParameter<long[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. targets] });
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            pairs.Add((reader.GetInt64(0), reader.GetInt64(1)));
        }
        return pairs;
    }

    public Dictionary<long, TraceRow> FindTraces(IReadOnlyCollection<long> traceIdLows)
    {
        ArgumentNullException.ThrowIfNull(traceIdLows);
        var rows = new Dictionary<long, TraceRow>();
        if (traceIdLows.Count == 0)
        {
            return rows;
        }
        using var command = new NpgsqlCommand(
            $"SELECT {TraceRows.Columns} FROM {TraceRow.Table} WHERE {TraceRow.TraceIdLowColumn} = ANY(@ids)",
            Connection);
        command.Parameters.Add(new NpgsqlParameter<long[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. traceIdLows] });
        using var reader = command.ExecuteReader();
        return TraceRows.ReadAll(reader, rows);
    }

    public Dictionary<long, Span> ReadSpans(IReadOnlyCollection<long> rowIds)
    {
        ArgumentNullException.ThrowIfNull(rowIds);
        var spans = new Dictionary<long, Span>(rowIds.Count);
        if (rowIds.Count == 0)
        {
            return spans;
        }
        // One statement for the batch: a point read per span was a round trip each, and a run
        // re-linking late spans spent most of its time waiting on them (docs/benchmarks.md, "Freshness").
        using var command = new NpgsqlCommand(ManySql, Connection);
        command.Parameters.Add(new NpgsqlParameter<long[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. rowIds] });
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var traceId = new TraceId(unchecked((ulong)reader.GetInt64(1)), unchecked((ulong)reader.GetInt64(2)));
            spans[reader.GetInt64(0)] = SpanCodec.Decode(reader.GetFieldValue<byte[]>(3), traceId, _strings);
        }
        return spans;
    }

    public async Task CommitAsync(BatchRows rows, SpanPosition? from, SpanPosition to, Action beforeCommit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(beforeCommit);
        var connection = (NpgsqlConnection)_commits.Database.GetDbConnection();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Compare and set, as on SQLite: with the advisory lock no other run moves the mark, and if
        // one ever did (a lock lost with its session while this run went on) the batch fails here.
        await using (var mark = new NpgsqlCommand(from is null ? InsertMarkSql : MoveMarkSql, connection, transaction))
        {
            AddPosition(mark, "tx", "id", to);
            if (from is { } start)
            {
                AddPosition(mark, "fromTx", "fromId", start);
            }
            if (await mark.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                throw new InvalidOperationException("Another aggregation moved the progress mark during this run; this batch was not linked.");
            }
        }
        await PostgreSqlRowWriter.WriteAsync(connection, transaction, rows, cancellationToken);
        beforeCommit();
        await transaction.CommitAsync(cancellationToken);
        rows.Statistics.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        if (_locked)
        {
            await UnlockAsync(Connection);
        }
        await _commits.DisposeAsync();
        await _db.DisposeAsync();
    }

    /// <summary>
    /// Holds the runs' advisory lock on a session of its own until disposed, for work that must not
    /// overlap a run on any instance (retention's deletes of buckets a run holds in memory).
    /// </summary>
    public static async Task<IAsyncDisposable> HoldLockAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection);
        command.Parameters.AddWithValue("key", LockKey);
        await command.ExecuteScalarAsync(cancellationToken);
        return new HeldLock(connection);
    }

    private static async Task UnlockAsync(NpgsqlConnection connection)
    {
        try
        {
            // A pooled session keeps its advisory locks until it is reset on its next use.
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            unlock.Parameters.AddWithValue("key", LockKey);
            await unlock.ExecuteScalarAsync(CancellationToken.None);
        }
        catch (NpgsqlException)
        {
            // The session is gone, and its lock with it.
        }
    }

    private sealed class HeldLock(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await UnlockAsync(connection);
            await connection.DisposeAsync();
        }
    }

    private static void AddPosition(NpgsqlCommand command, string tx, string id, SpanPosition position)
    {
        command.Parameters.Add(new NpgsqlParameter<ulong>(tx, NpgsqlDbType.Xid8) { TypedValue = unchecked((ulong)position.Tx) });
        command.Parameters.AddWithValue(id, position.Id);
    }

    /// <summary>The span batches' own connection; the span's record is decoded from a buffer reused across rows.</summary>
    private sealed class BatchReader(DepMapDbContext db, SpanPosition end) : IAsyncDisposable
    {
        private readonly SpanStrings _strings = new();
        private byte[] _buffer = new byte[4096];

        public SpanBatch Read(SpanPosition after, int limit)
        {
            using var command = new NpgsqlCommand(RangeSql, (NpgsqlConnection)db.Database.GetDbConnection());
            AddPosition(command, "tx", "id", after);
            AddPosition(command, "endTx", "endId", end);
            command.Parameters.AddWithValue("limit", limit);
            using var reader = command.ExecuteReader();
            var spans = new List<StoredSpan>(Math.Min(limit, 131_072));
            var last = after;
            while (reader.Read())
            {
                last = new SpanPosition(unchecked((long)reader.GetFieldValue<ulong>(0)), reader.GetInt64(1));
                var traceId = new TraceId(unchecked((ulong)reader.GetInt64(2)), unchecked((ulong)reader.GetInt64(3)));
                var length = (int)reader.GetBytes(5, 0, null, 0, 0);
                if (length > _buffer.Length)
                {
                    _buffer = new byte[Math.Max(length, _buffer.Length * 2)];
                }
                reader.GetBytes(5, 0, _buffer, 0, length);
                spans.Add(new StoredSpan(last.Id, reader.GetInt64(4), SpanCodec.Decode(_buffer.AsSpan(0, length), traceId, _strings)));
            }
            return new SpanBatch(spans, last);
        }

        public ValueTask DisposeAsync() => db.DisposeAsync();
    }
}
