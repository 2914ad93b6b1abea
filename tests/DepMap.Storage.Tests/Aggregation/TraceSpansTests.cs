using System.Buffers;
using DepMap.Core.Spans;
using DepMap.Storage.Aggregation;
using DepMap.Storage.Spans;

namespace DepMap.Storage.Tests.Aggregation;

public class TraceSpansTests
{
    private const long TraceLow = unchecked((long)0xfedcba9876543210);

    [Fact]
    public void Read_ReturnsCopiesAndReferencesInOrder_WhenARowMixesThem()
    {
        var waiting = new Span { TraceId = new TraceId(7, unchecked((ulong)TraceLow)), SpanId = 1, LocalService = "logistics" };
        var buffer = new ArrayBufferWriter<byte>();
        long previous = 0;
        TraceSpans.AppendReference(buffer, 5_000_000_000, ref previous);
        TraceSpans.AppendReference(buffer, 4_999_999_990, ref previous);
        TraceSpans.AppendCopy(buffer, 7, SpanCodec.Encode(waiting));
        TraceSpans.AppendReference(buffer, 5_000_000_123, ref previous);

        var entries = new List<TraceSpanEntry>();
        var last = TraceSpans.Read(buffer.WrittenSpan, TraceLow, entries);
        var firstTwo = new List<TraceSpanEntry>();
        TraceSpans.Read(buffer.WrittenSpan, TraceLow, firstTwo, count: 2);

        Assert.Equal([5_000_000_000, 4_999_999_990, 0, 5_000_000_123], entries.Select(e => e.SpanRowId));
        Assert.Equal(waiting, entries[2].Span! with { Links = waiting.Links });
        Assert.Equal(5_000_000_123, last);
        Assert.Equal(entries.Take(2), firstTwo);
    }

    [Fact]
    public void AppendReference_TakesFewBytes_WhenIdsAreClose()
    {
        var buffer = new ArrayBufferWriter<byte>();
        long previous = 0;
        TraceSpans.AppendReference(buffer, 9_000_000_000, ref previous);
        var first = buffer.WrittenCount;
        TraceSpans.AppendReference(buffer, 9_000_000_040, ref previous);

        Assert.Equal(2, buffer.WrittenCount - first);
    }

    [Fact]
    public void Read_Throws_WhenAReferenceIsCutShort()
    {
        byte[] data = [0, 0x80];

        var error = Assert.Throws<InvalidDataException>(() => TraceSpans.Read(data, TraceLow, []));

        Assert.Contains("fedcba9876543210", error.Message, StringComparison.Ordinal);
    }
}
