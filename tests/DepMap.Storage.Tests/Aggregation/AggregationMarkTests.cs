using DepMap.Storage.Aggregation;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.Tests.Aggregation;

public class AggregationMarkTests
{
    [Fact]
    public async Task Mark_MovesOnlyFromWhereTheRunFoundIt()
    {
        using var database = new TempDatabase();
        await using var db = database.Open();

        bool Move(long? from, long to)
        {
            using var transaction = db.Database.BeginTransaction();
            var moved = AggregationMark.TryMove(db, from, to);
            transaction.Commit();
            return moved;
        }
        var first = Move(null, 10);
        var stale = Move(5, 20);
        var next = Move(10, 30);

        Assert.Equal((true, false, true), (first, stale, next));
        Assert.Equal(30, (await db.AggregationState.AsNoTracking().SingleAsync()).LastSpanId);
    }
}
