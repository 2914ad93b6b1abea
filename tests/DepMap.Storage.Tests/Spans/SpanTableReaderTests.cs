using DepMap.Core.Spans;
using DepMap.Storage.Spans;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.Tests.Spans;

public class SpanTableReaderTests
{
    [Fact]
    public void ReadRange_GivesBackEverySpanAsStored_WhenRecordsAreSmallAndLargerThanTheReadBuffer()
    {
        // The reader copies each record out of SQLite's row into a buffer it grows: records of a few
        // bytes, of kilobytes (long names, many links) and small again after a large one.
        var trace = new TraceId(0x0123456789abcdef, 0xfedcba9876543210);
        var name = new string('n', Span.MaxNameLength);
        Span[] spans =
        [
            new() { TraceId = trace, SpanId = 1, Kind = SpanKind.Server, LocalService = "web", StartUnixNano = 1, DurationNano = 2 },
            new()
            {
                TraceId = trace, SpanId = 2, ParentId = 1, Kind = SpanKind.Client, LocalService = name + "a", Name = name + "b",
                PeerService = name + "c", ServerAddress = name + "d", DbName = name + "e", MessagingDestinationName = name + "f",
                Links = [.. Enumerable.Range(1, 40).Select(i => new SpanLink(new TraceId(0, (ulong)i), (ulong)i))],
                StartUnixNano = 3, DurationNano = 4, Error = true,
            },
            new() { TraceId = trace, SpanId = 3, ParentId = 2, Kind = SpanKind.Server, LocalService = "orders", StartUnixNano = 5, DurationNano = 6 },
        ];
        using var database = new TempDatabase();
        database.Append(spans, receivedAtUnixMs: 1_700_000_000_000);
        using var db = database.Open();
        db.Database.OpenConnection();
        using var reader = new SpanTableReader(db);

        var read = reader.ReadRange(0, long.MaxValue, 10);

        Assert.True(SpanCodec.Encode(spans[1]).Length > 2_000);
        Assert.Equal(spans.Length, read.Count);
        Assert.Equal([1L, 2L, 3L], read.Select(stored => stored.RowId));
        Assert.All(read, stored => Assert.Equal(1_700_000_000_000, stored.ReceivedAtUnixMs));
        Assert.All(spans.Zip(read), pair => Assert.True(RepeatedSpans.AreSame(pair.First, pair.Second.Span), $"span {pair.First.SpanId} read back differs"));
    }
}
