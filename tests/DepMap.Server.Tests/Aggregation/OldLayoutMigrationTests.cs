using System.Buffers;
using DepMap.Storage.Aggregation;
using DepMap.Storage.Spans;

namespace DepMap.Server.Tests.Aggregation;

/// <summary>
/// Before linking went straight to the span table, a run copied every span it saw into its trace's
/// row, settled or not. A database left with such a waiting trace must give the statistics of a
/// clean run after the upgrade.
/// </summary>
[Trait("Provider", "Sqlite")]
public class OldLayoutMigrationTests
{
    private const string LastMigrationOfOldLayout = "20261125155115_Snapshots";

    [Fact]
    public async Task Statistics_AreThoseOfACleanRun_WhenATraceWaitedInItsRowBeforeTheUpgrade()
    {
        var folder = DepMapFactory.NewFolder();
        var spans = EarlierDatabase.Spans;
        await EarlierDatabase.CreateAsync(folder, LastMigrationOfOldLayout, appends: 1, async db =>
        {
            // The old intake's work: every span copied into the trace's row, the mark past them, nothing linked.
            var copies = new ArrayBufferWriter<byte>();
            foreach (var span in spans)
            {
                TraceSpans.AppendCopy(copies, unchecked((long)span.TraceId.High), SpanCodec.Encode(span));
            }
            db.Traces.Add(new TraceRow
            {
                TraceIdLow = unchecked((long)spans[0].TraceId.Low),
                Spans = copies.WrittenSpan.ToArray(),
                SpanCount = spans.Count,
                Pending = true,
                LastArrivalUnixMs = ExampleTraces.Start.ToUnixTimeMilliseconds(),
            });
            db.AggregationState.Add(new AggregationStateRow { LastSpanId = spans.Count });
            await db.SaveChangesAsync();
        });

        using var upgraded = new AggregationFactory(folder: folder, ownsFolder: true);
        await upgraded.AggregateAsync();

        Assert.Equal(await ExactlyOnceTests.CleanRunAsync(), await StatisticsSnapshot.TakeAsync(upgraded));
    }
}
