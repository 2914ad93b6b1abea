using System.Data;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.Aggregation;

/// <summary>
/// Moves the progress mark inside a batch's transaction, compare-and-set. A prepared statement
/// rather than EF Core's ExecuteUpdate: the first run's first batch compiled that query for 80 ms
/// while holding the write lock, and ingest waited for it.
/// </summary>
public static class AggregationMark
{
    private const string InsertSql = "INSERT INTO aggregation_state (id, last_span_id) VALUES (@id, @last)";
    private const string MoveSql = "UPDATE aggregation_state SET last_span_id = @last WHERE id = @id AND last_span_id = @mark";

    /// <summary>
    /// Sets the mark to <paramref name="last"/> if it still is <paramref name="mark"/> (absent when null);
    /// false when another run moved it meanwhile.
    /// </summary>
    public static bool TryMove(DbContext db, long? mark, long last)
    {
        if (mark is null)
        {
            using var insert = new PreparedCommand(db, InsertSql, ("@id", DbType.Int32), ("@last", DbType.Int64));
            return insert.Execute(AggregationStateRow.SingletonId, last) == 1;
        }
        using var move = new PreparedCommand(db, MoveSql, ("@last", DbType.Int64), ("@id", DbType.Int32), ("@mark", DbType.Int64));
        return move.Execute(last, AggregationStateRow.SingletonId, mark.Value) == 1;
    }
}
