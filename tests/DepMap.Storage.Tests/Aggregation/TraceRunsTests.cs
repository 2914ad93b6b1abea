using DepMap.Storage.Aggregation;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.Tests.Aggregation;

/// <summary>
/// The linked trace rows' runs on a real SQLite file: whatever runs a trace's rows are spread over,
/// merged or not, read again or not, a lookup finds its newest row, and merging keeps the runs and the
/// table's old copies few.
/// </summary>
public class TraceRunsTests
{
    private static readonly TraceRunPolicy Small = new(BaseRows: 4, FanIn: 3, MaxMergedRows: 1_000);

    [Fact]
    public async Task Find_ReturnsEachTracesNewestRow_AcrossManyRunsAndMerges_AndAfterReadingTheRunsAgain()
    {
        using var database = new TempDatabase();
        await using var db = database.Open();
        await db.Database.OpenConnectionAsync();
        var runs = TraceRuns.Read(db, Small);
        var random = new Random(5);
        var newest = new Dictionary<long, int>();
        var mostRuns = 0;
        var written = 0;
        for (var commit = 1; commit <= 60; commit++)
        {
            // Each commit links a few traces, some linked before: its row is the newest now.
            var ids = Enumerable.Range(0, random.Next(1, 9)).Select(_ => (long)random.Next(1, 40)).Distinct().ToList();
            await using (var transaction = await db.Database.BeginTransactionAsync())
            {
                runs.Write(db, ids.ConvertAll(id => Row(id, commit)));
                written += ids.Count;
                await transaction.CommitAsync();
            }
            foreach (var id in ids)
            {
                newest[id] = commit;
            }
            await runs.MergeAsync(db, CancellationToken.None);
            mostRuns = Math.Max(mostRuns, runs.Count);
            if (commit % 20 == 0)
            {
                Assert.Equal(newest.OrderBy(p => p.Key), Found(runs, db, newest.Keys));
            }
        }

        Assert.Equal(newest.OrderBy(p => p.Key), Found(TraceRuns.Read(db, Small), db, newest.Keys));
        Assert.Empty(Found(runs, db, [40, 41, -3]));
        // Three runs of a level merge into one: a few levels of at most two runs each, not sixty.
        Assert.InRange(mostRuns, 2, 12);
        // The table holds the listed runs' rows and no more (merged runs are deleted), and merging
        // dropped most of the older copies written.
        var rows = await db.Database.SqlQueryRaw<long>($"SELECT sum({TraceRunRows.RowsColumn}) AS \"Value\" FROM {TraceRunRows.Table}").SingleAsync();
        Assert.Equal(runs.Rows, rows);
        Assert.InRange(rows, newest.Count, written / 2);
    }

    /// <summary>
    /// A merge cut short after its copy committed, before the merged runs' rows were deleted: the
    /// table holds a trace twice, and a state read again from it still finds the newest row.
    /// </summary>
    [Fact]
    public async Task Find_ReturnsTheNewestRow_AfterAMergeWasCutShortBeforeItsDelete()
    {
        using var database = new TempDatabase();
        await using var db = database.Open();
        await db.Database.OpenConnectionAsync();
        var runs = TraceRuns.Read(db, TraceRunPolicy.Default);
        foreach (var (ids, commit) in new[] { (new long[] { 1, 2 }, 1), ([2, 3], 2), ([1], 3) })
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            runs.Write(db, [.. ids.Select(id => Row(id, commit))]);
            await transaction.CommitAsync();
        }
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            TraceRunRows.Merge(db, 1, 3, 4);
            await transaction.CommitAsync();
        }

        var again = TraceRuns.Read(db, TraceRunPolicy.Default);
        Assert.Equal(4, again.Count);
        Assert.Equal([new(1L, 3), new(2L, 2), new(3L, 2)], Found(again, db, [1, 2, 3]));
    }

    /// <summary>A trace row whose last link saw <paramref name="commit"/> spans: which commit wrote it, readable back.</summary>
    private static TraceRow Row(long id, int commit) => new()
    {
        TraceIdLow = id,
        Spans = [0, 2],
        SpanCount = commit,
        LinkedSpanCount = commit,
        LastArrivalUnixMs = 1_000 + commit,
        LinkedAtUnixMs = 2_000 + commit,
    };

    private static List<KeyValuePair<long, int>> Found(TraceRuns runs, DbContext db, IEnumerable<long> ids)
    {
        var found = new Dictionary<long, TraceRow>();
        runs.Find(db, [.. ids], found);
        return [.. found.Values.Select(row => new KeyValuePair<long, int>(row.TraceIdLow, row.LinkedSpanCount)).OrderBy(p => p.Key)];
    }
}
