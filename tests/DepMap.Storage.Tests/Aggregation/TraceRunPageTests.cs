using DepMap.Storage.Aggregation;
using DepMap.Storage.Spans;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.Tests.Aggregation;

/// <summary>
/// The linked trace rows' runs stored in pages (<see cref="TraceRunPage"/>), on a real SQLite file:
/// every row reads back as written whatever page it landed in, a damaged page is refused naming the
/// byte, a merge of runs of many pages keeps each trace's newest row, and retention deletes the pages
/// it may and the trace links whose source trace is gone.
/// </summary>
public class TraceRunPageTests
{
    [Fact]
    public void Reader_ReturnsEveryRowAsWritten_AndFindsOnlyThePagesTraces()
    {
        var rows = new[]
        {
            Row(long.MinValue, spans: [], linkedAt: null),
            Row(-5, spans: [1, 2, 3]),
            Row(0, spans: [9]),
            Row(long.MaxValue, spans: [.. Enumerable.Range(0, 300).Select(i => (byte)i)], linkedAt: long.MaxValue),
        };
        var builder = new TraceRunPage.Builder();
        foreach (var row in rows)
        {
            builder.Add(row);
        }

        var page = new TraceRunPage.Reader(builder.ToArray());

        Assert.Equal(rows.Length, page.Count);
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.Equal(i, page.IndexOf(rows[i].TraceIdLow));
            AssertSameRow(rows[i], page.RowAt(i));
        }
        Assert.Equal(-1, page.IndexOf(1));
        Assert.Equal(-1, page.IndexOf(-6));
        Assert.Equal(rows.Max(r => r.LastArrivalUnixMs), builder.LastArrivalUnixMs);
    }

    [Fact]
    public void Builder_RefusesARowOutOfTraceOrder()
    {
        var builder = new TraceRunPage.Builder();
        builder.Add(Row(7, spans: [1]));

        var error = Assert.Throws<ArgumentException>(() => builder.Add(Row(7, spans: [1])));
        Assert.Contains("ascending trace order", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reader_RefusesEveryCutOfAPage_AndAPageOutOfOrder_NamingTheByte()
    {
        var builder = new TraceRunPage.Builder();
        builder.Add(Row(1, spans: [1, 2]));
        builder.Add(Row(2, spans: [3]));
        var bytes = builder.ToArray();

        for (var length = 0; length < bytes.Length; length++)
        {
            var cut = bytes[..length];
            Assert.Throws<FormatException>(() => new TraceRunPage.Reader(cut));
        }
        var longer = bytes.Append((byte)0).ToArray();
        Assert.Contains("after its last row", Assert.Throws<FormatException>(() => new TraceRunPage.Reader(longer)).Message, StringComparison.Ordinal);
        // The second trace id (bytes 12-19) made smaller than the first.
        var swapped = (byte[])bytes.Clone();
        Array.Clear(swapped, 12, 8);
        Assert.Contains("out of trace order (byte 12)", Assert.Throws<FormatException>(() => new TraceRunPage.Reader(swapped)).Message, StringComparison.Ordinal);
        // A row end past the page.
        var lying = (byte[])bytes.Clone();
        lying[4 + 16 + 4] = 0xFF;
        Assert.Contains("outside its data (byte 24)", Assert.Throws<FormatException>(() => new TraceRunPage.Reader(lying)).Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Runs of thousands of rows (dozens of pages, a row larger than a page among them), with the
    /// extreme trace ids, merged: every trace's newest row is found, in the run the merge wrote, and
    /// the keys read back in order.
    /// </summary>
    [Fact]
    public async Task Runs_OfManyPages_KeepEachTracesNewestRow_ThroughAMerge()
    {
        using var database = new TempDatabase();
        await using var db = database.Open();
        await db.Database.OpenConnectionAsync();
        var runs = TraceRuns.Read(db, new TraceRunPolicy(BaseRows: 100_000, FanIn: 3, MaxMergedRows: 1_000_000), byIdRows: 0);
        var random = new Random(11);
        var newest = new Dictionary<long, TraceRow>();
        var written = 0;
        for (var commit = 1; commit <= 3; commit++)
        {
            var ids = Enumerable.Range(0, 3_000).Select(_ => random.NextInt64(long.MinValue, long.MaxValue))
                .Concat(commit == 1 ? [long.MinValue, long.MaxValue, 0] : [long.MaxValue]).Distinct().ToList();
            var rows = ids.ConvertAll(id => Row(id, spans: [.. Enumerable.Repeat((byte)commit, id == 0 ? 40_000 : 1 + (int)(id & 15))], commit: commit));
            await using (var transaction = await db.Database.BeginTransactionAsync())
            {
                runs.Write(db, rows);
                await transaction.CommitAsync();
            }
            written += rows.Count;
            foreach (var row in rows)
            {
                newest[row.TraceIdLow] = row;
            }
            // A third of the traces of the first commit are linked again in the second.
            if (commit == 1)
            {
                ids = ids.Where((_, i) => i % 3 == 0).ToList();
                var again = ids.ConvertAll(id => Row(id, spans: [7, 7], commit: 10));
                await using var transaction = await db.Database.BeginTransactionAsync();
                runs.Write(db, again);
                await transaction.CommitAsync();
                written += again.Count;
                foreach (var row in again)
                {
                    newest[row.TraceIdLow] = row;
                }
            }
        }
        var pagesBefore = await Pages(db);
        // Full pages but for each run's last and the large row's own.
        Assert.InRange(pagesBefore, written / TraceRunPage.MaxRows, written / TraceRunPage.MaxRows + 6);

        await runs.MergeAsync(db, CancellationToken.None);

        Assert.Equal(1, runs.Count);
        Assert.Equal(newest.Count, runs.Rows);
        var found = new Dictionary<long, TraceRow>();
        runs.Find(db, newest.Keys.ToList(), found);
        Assert.Equal(newest.Count, found.Count);
        foreach (var (id, row) in newest)
        {
            AssertSameRow(row, found[id]);
        }
        var keys = TraceRunRows.ReadKeys(db).ToList();
        Assert.Equal(newest.Keys.Order(), keys.Select(k => k.TraceIdLow));
        Assert.All(keys, k => Assert.Equal(5, k.Run));
        Assert.InRange(await Pages(db), newest.Count / TraceRunPage.MaxRows, newest.Count / TraceRunPage.MaxRows + 3);
    }

    /// <summary>
    /// Retention deletes the pages whose every row arrived before the cutoff, keeps a page with a newer
    /// row, and deletes a trace link only when its source trace has no row left anywhere.
    /// </summary>
    [Fact]
    public async Task Retention_DeletesExpiredPages_AndTheLinksOfTracesNoRunHolds()
    {
        using var database = new TempDatabase();
        await using var db = database.Open();
        await db.Database.OpenConnectionAsync();
        var runs = TraceRuns.Read(db, TraceRunPolicy.Default, byIdRows: 0);
        // Run 1: 300 old traces (three pages); run 2: traces 1 and 299 linked again later.
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            runs.Write(db, [.. Enumerable.Range(1, 300).Select(id => Row(id, spans: [1], arrival: 1_000))]);
            runs.Write(db, [Row(1, spans: [2], arrival: 9_000), Row(299, spans: [2], arrival: 9_000)]);
            TraceLinkRows.Write(db, [(50, 1), (51, 2), (52, 299), (53, 300)]);
            await transaction.CommitAsync();
        }

        using var spanFileLock = new SpanFileWriteLock();
        var (traces, links) = await new SqliteSpanRetention(db, spanFileLock).RemoveLinkedTracesBeforeAsync(5_000, 2, CancellationToken.None);

        Assert.Equal(300, traces);
        Assert.Equal(2, links);
        var current = await TraceRunRows.ReadCurrentAsync(db);
        Assert.Equal([1L, 299], current.Select(r => r.TraceIdLow));
        var remaining = await db.Database.SqlQueryRaw<long>($"SELECT {TraceLinkRow.SourceColumn} AS \"Value\" FROM {TraceLinkRow.Table} ORDER BY 1").ToListAsync();
        Assert.Equal([1L, 299], remaining);
    }

    private static async Task<long> Pages(DbContext db) =>
        await db.Database.SqlQueryRaw<long>($"SELECT count(*) AS \"Value\" FROM {TraceRunRows.Table}").SingleAsync();

    private static TraceRow Row(long id, byte[] spans, long? linkedAt = 5, int commit = 1, long arrival = 0) => new()
    {
        TraceIdLow = id,
        Spans = spans,
        SpanCount = spans.Length + commit,
        LinkedSpanCount = spans.Length,
        LastArrivalUnixMs = arrival == 0 ? 1_000 + (id & 0xFFFF) : arrival,
        LinkedAtUnixMs = linkedAt,
    };

    private static void AssertSameRow(TraceRow expected, TraceRow actual)
    {
        Assert.Equal(expected.TraceIdLow, actual.TraceIdLow);
        Assert.Equal(expected.Spans, actual.Spans);
        Assert.Equal(expected.SpanCount, actual.SpanCount);
        Assert.Equal(expected.LinkedSpanCount, actual.LinkedSpanCount);
        Assert.Equal(expected.LastArrivalUnixMs, actual.LastArrivalUnixMs);
        Assert.Equal(expected.LinkedAtUnixMs, actual.LinkedAtUnixMs);
        Assert.False(actual.Pending);
    }
}
