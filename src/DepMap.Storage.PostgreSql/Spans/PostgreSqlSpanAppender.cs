using System.Data;
using DepMap.Storage.Spans;
using Npgsql;
using NpgsqlTypes;

namespace DepMap.Storage.PostgreSql.Spans;

/// <summary>
/// Appends spans to PostgreSQL's span table with binary COPY, one transaction per call, on one
/// connection of its own: COPY streams rows without a statement per row, which is what keeps one
/// writer per instance near the server's own rate (docs/benchmarks.md). The transaction's id goes
/// into each row (the table's default), so the aggregation's mark never skips a late committer.
/// Not thread-safe: exactly one writer owns it.
/// </summary>
public sealed class PostgreSqlSpanAppender(string connectionString) : IDisposable
{
    private static readonly string CopySql =
        $"COPY {SpanRow.Table} ({SpanRow.TraceIdHighColumn}, {SpanRow.TraceIdLowColumn}, " +
        $"{SpanRow.ReceivedAtColumn}, {SpanRow.DataColumn}) FROM STDIN (FORMAT BINARY)";

    private NpgsqlConnection? _connection;
    // Arrival times below this have their day partition; past it, the next commit makes sure of it.
    private long _partitionedUntil = long.MinValue;

    /// <summary>
    /// Inserts every span of every batch in one transaction and returns once it has committed, so a
    /// caller may acknowledge them. On an exception nothing of the call is stored; the next call
    /// opens a new connection if this one broke (a server restart, a dropped network).
    /// </summary>
    public void Append(IReadOnlyList<IReadOnlyList<EncodedSpan>> batches, long receivedAtUnixMs)
    {
        ArgumentNullException.ThrowIfNull(batches);
        var connection = Connection();
        if (receivedAtUnixMs >= _partitionedUntil)
        {
            _partitionedUntil = SpanPartitions.Ensure(connection, receivedAtUnixMs);
        }
        using var transaction = connection.BeginTransaction();
        using (var importer = connection.BeginBinaryImport(CopySql))
        {
            foreach (var batch in batches)
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    var span = batch[i];
                    importer.StartRow();
                    importer.Write(span.TraceIdHigh, NpgsqlDbType.Bigint);
                    importer.Write(span.TraceIdLow, NpgsqlDbType.Bigint);
                    importer.Write(receivedAtUnixMs, NpgsqlDbType.Bigint);
                    importer.Write(span.Data, NpgsqlDbType.Bytea);
                }
            }
            importer.Complete();
        }
        transaction.Commit();
    }

    public void Dispose() => _connection?.Dispose();

    private NpgsqlConnection Connection()
    {
        if (_connection is { State: ConnectionState.Open } open && !open.FullState.HasFlag(ConnectionState.Broken))
        {
            return open;
        }
        _connection?.Dispose();
        _connection = null;
        var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        _connection = connection;
        return connection;
    }
}
