using System.Data;
using System.Data.Common;
using DepMap.Core.Spans;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SQLitePCL;

namespace DepMap.Storage.Spans;

/// <summary>
/// The aggregation's reads of the span table, through the context's connection (opened by the
/// caller) and outside any transaction, so ingest keeps the write lock while a run reads.
/// Raw commands rather than EF Core queries: materialising a hundred thousand rows a batch through
/// the query pipeline cost several times the read itself.
/// </summary>
public sealed class SpanTableReader(DbContext db) : IDisposable
{
    private const string LastIdSql = $"SELECT max({SpanRow.IdColumn}) FROM {SpanRow.Table}";

    private const string RangeSql =
        $"SELECT {SpanRow.IdColumn}, {SpanRow.TraceIdHighColumn}, {SpanRow.TraceIdLowColumn}, {SpanRow.ReceivedAtColumn}, {SpanRow.DataColumn} " +
        $"FROM {SpanRow.Table} WHERE {SpanRow.IdColumn} > @after AND {SpanRow.IdColumn} <= @upTo ORDER BY {SpanRow.IdColumn} LIMIT @limit";

    private const string OneSql =
        $"SELECT {SpanRow.TraceIdHighColumn}, {SpanRow.TraceIdLowColumn}, {SpanRow.ReceivedAtColumn}, {SpanRow.DataColumn} " +
        $"FROM {SpanRow.Table} WHERE {SpanRow.IdColumn} = @id";

    private readonly SpanStrings _strings = new();
    // The row's record, copied out of SQLite's buffer to be decoded.
    private byte[] _record = new byte[512];
    private const long BusyTimeoutMs = 30_000;

    private DbCommand? _one;

    /// <summary>The newest span's id (0 when there is none): ids rise in commit order.</summary>
    public long ReadLastId()
    {
        using var command = Command(LastIdSql);
        return command.ExecuteScalar() is long id ? id : 0;
    }

    /// <summary>Spans with ids in (<paramref name="afterId"/>, <paramref name="upToId"/>], at most <paramref name="limit"/>, in id order.</summary>
    public List<StoredSpan> ReadRange(long afterId, long upToId, int limit) =>
        db.Database.GetDbConnection() is SqliteConnection { Handle: { } handle }
            ? ReadRangeRaw(handle, afterId, upToId, limit)
            : ReadRangeAdo(afterId, upToId, limit);

    /// <summary>
    /// The same read through SQLite's own API: Microsoft.Data.Sqlite's per-column accessors and the
    /// byte array it allocates for every blob took about four times as long as SQLite's stepping
    /// through the rows; here the record is decoded straight from SQLite's buffer.
    /// </summary>
    private List<StoredSpan> ReadRangeRaw(sqlite3 handle, long afterId, long upToId, int limit)
    {
        SqliteResults.Check(handle, raw.sqlite3_prepare_v2(handle, RangeSql, out var statement));
        using (statement)
        {
            SqliteResults.Check(handle, raw.sqlite3_bind_int64(statement, raw.sqlite3_bind_parameter_index(statement, "@after"), afterId));
            SqliteResults.Check(handle, raw.sqlite3_bind_int64(statement, raw.sqlite3_bind_parameter_index(statement, "@upTo"), upToId));
            SqliteResults.Check(handle, raw.sqlite3_bind_int64(statement, raw.sqlite3_bind_parameter_index(statement, "@limit"), limit));
            var spans = new List<StoredSpan>(Math.Min(limit, 131_072));
            var busySince = Environment.TickCount64;
            while (true)
            {
                var result = raw.sqlite3_step(statement);
                if (result == raw.SQLITE_ROW)
                {
                    var row = new SqliteRow(statement);
                    var traceId = new TraceId(unchecked((ulong)row.Int64(1)), unchecked((ulong)row.Int64(2)));
                    var span = SpanCodec.Decode(row.Blob(4, ref _record), traceId, _strings);
                    spans.Add(new StoredSpan(row.Int64(0), row.Int64(3), span));
                }
                else if (result == raw.SQLITE_DONE)
                {
                    return spans;
                }
                else if (result is raw.SQLITE_BUSY or raw.SQLITE_LOCKED && spans.Count == 0 && Environment.TickCount64 - busySince < BusyTimeoutMs)
                {
                    // Only while a WAL recovery holds the file: wait as Microsoft.Data.Sqlite's commands do.
                    raw.sqlite3_reset(statement);
                    Thread.Sleep(1);
                }
                else
                {
                    SqliteResults.Check(handle, result);
                }
            }
        }
    }

    private List<StoredSpan> ReadRangeAdo(long afterId, long upToId, int limit)
    {
        using var command = Command(RangeSql, ("@after", afterId), ("@upTo", upToId), ("@limit", limit));
        using var reader = command.ExecuteReader();
        var spans = new List<StoredSpan>(Math.Min(limit, 131_072));
        while (reader.Read())
        {
            var traceId = new TraceId(unchecked((ulong)reader.GetInt64(1)), unchecked((ulong)reader.GetInt64(2)));
            spans.Add(new StoredSpan(reader.GetInt64(0), reader.GetInt64(3), SpanCodec.Decode(reader.GetFieldValue<byte[]>(4), traceId, _strings)));
        }
        return spans;
    }

    /// <summary>The span in row <paramref name="rowId"/>, or null when retention has deleted it.</summary>
    public StoredSpan? ReadOne(long rowId)
    {
        _one ??= Command(OneSql, ("@id", 0L));
        _one.Parameters[0].Value = rowId;
        using var reader = _one.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }
        var traceId = new TraceId(unchecked((ulong)reader.GetInt64(0)), unchecked((ulong)reader.GetInt64(1)));
        return new StoredSpan(rowId, reader.GetInt64(2), SpanCodec.Decode(reader.GetFieldValue<byte[]>(3), traceId, _strings));
    }

    public void Dispose() => _one?.Dispose();

    private DbCommand Command(string sql, params ReadOnlySpan<(string Name, long Value)> parameters)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.DbType = DbType.Int64;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
