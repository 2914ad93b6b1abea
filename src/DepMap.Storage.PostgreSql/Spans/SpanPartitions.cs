using System.Globalization;
using Npgsql;

namespace DepMap.Storage.PostgreSql.Spans;

/// <summary>
/// The span table's partitions: one per UTC day of arrival, named <c>spans_yyyymmdd</c>, made by
/// the migration's <c>depmap_span_partition</c> function before a day's first commit, dropped
/// whole by retention.
/// </summary>
public static class SpanPartitions
{
    public const long DayMs = 86_400_000;

    /// <summary>
    /// Makes sure the partitions of the day of <paramref name="atUnixMs"/> and of the next day exist
    /// (the next one ahead, so crossing midnight never waits for DDL) and returns the end of that
    /// day, below which no call is needed again.
    /// </summary>
    public static long Ensure(NpgsqlConnection connection, long atUnixMs)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var dayEnd = DayStart(atUnixMs) + DayMs;
        using var command = new NpgsqlCommand("SELECT depmap_span_partition(@today), depmap_span_partition(@tomorrow)", connection);
        command.Parameters.AddWithValue("today", atUnixMs);
        command.Parameters.AddWithValue("tomorrow", dayEnd);
        command.ExecuteNonQuery();
        return dayEnd;
    }

    /// <summary>The start of the UTC day <paramref name="atUnixMs"/> falls in.</summary>
    public static long DayStart(long atUnixMs) => Math.DivRem(atUnixMs, DayMs, out var rest) * DayMs - (rest < 0 ? DayMs : 0);

    /// <summary>The name of the partition of the day that starts at <paramref name="dayStartUnixMs"/>.</summary>
    public static string Name(long dayStartUnixMs) =>
        "spans_" + DateTimeOffset.FromUnixTimeMilliseconds(dayStartUnixMs).UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>The day partitions, with the start of their day, oldest first.</summary>
    public static async Task<List<(string Name, long DayStartUnixMs)>> ListAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid " +
            "WHERE i.inhparent = 'spans'::regclass AND c.relname ~ '^spans_[0-9]{8}$' ORDER BY c.relname", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var partitions = new List<(string, long)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var name = reader.GetString(0);
            var day = DateTime.ParseExact(name["spans_".Length..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
            partitions.Add((name, new DateTimeOffset(day, TimeSpan.Zero).ToUnixTimeMilliseconds()));
        }
        return partitions;
    }

    /// <summary>
    /// Drops every day partition whose day ended at or before <paramref name="cutoffUnixMs"/> and
    /// whose spans the aggregation has all taken in (a span past its mark, <c>(tx, id)</c>, is still
    /// work to do, whatever its age); deletes such spans from the default partition too. Returns
    /// the spans dropped, as PostgreSQL's statistics estimate them: counting a day of spans exactly
    /// would read the whole partition that dropping spares.
    /// </summary>
    public static async Task<long> DropBeforeAsync(NpgsqlConnection connection, long cutoffUnixMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        // The aggregation's mark is (writing transaction, span id): every span at or below it is
        // linked. No mark yet: nothing is taken in, nothing may go.
        string markTx;
        long markId;
        await using (var mark = new NpgsqlCommand("SELECT last_tx::text, last_span_id FROM aggregation_mark WHERE id = 1", connection))
        await using (var reader = await mark.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return 0;
            }
            markTx = reader.GetString(0);
            markId = reader.GetInt64(1);
        }
        long dropped = 0;
        foreach (var (name, dayStart) in await ListAsync(connection, cancellationToken))
        {
            if (dayStart + DayMs > cutoffUnixMs)
            {
                break;
            }
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            // Dropping a partition locks the whole span table for an instant; a long reader holding it
            // would queue every ingest commit behind the drop, so the drop gives up instead and the
            // next retention run tries again.
            await ExecuteAsync(connection, transaction, "SET LOCAL lock_timeout = '2s'", cancellationToken);
            await using (var pending = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM {name} WHERE (tx, id) > (@tx::xid8, @id))", connection, transaction))
            {
                pending.Parameters.AddWithValue("tx", markTx);
                pending.Parameters.AddWithValue("id", markId);
                if ((bool)(await pending.ExecuteScalarAsync(cancellationToken))!)
                {
                    await transaction.RollbackAsync(cancellationToken);
                    continue;
                }
            }
            // A partition autovacuum has not analysed yet is small: counted exactly.
            var rows = await ScalarAsync<double>(connection, transaction,
                $"SELECT CASE WHEN reltuples >= 0 THEN reltuples::float8 ELSE (SELECT count(*) FROM {name})::float8 END FROM pg_class WHERE oid = '{name}'::regclass",
                cancellationToken);
            await ExecuteAsync(connection, transaction, $"DROP TABLE {name}", cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            dropped += (long)rows;
        }
        // Rows written before their day's partition existed, if any are left there.
        await using var delete = new NpgsqlCommand(
            "DELETE FROM spans_default WHERE received_at_unix_ms < @cutoff AND (tx, id) <= (@tx::xid8, @id)", connection);
        delete.Parameters.AddWithValue("cutoff", cutoffUnixMs);
        delete.Parameters.AddWithValue("tx", markTx);
        delete.Parameters.AddWithValue("id", markId);
        dropped += await delete.ExecuteNonQueryAsync(cancellationToken);
        return dropped;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
