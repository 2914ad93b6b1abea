using DepMap.Core.Spans;

namespace DepMap.Core.Tests.Spans;

public class RepeatedSpansTests
{
    private static readonly TraceId Trace = new(0, 7);

    private static Span Client(ulong id = 1) => new()
    {
        TraceId = Trace,
        SpanId = id,
        Kind = SpanKind.Client,
        LocalService = "checkout",
        Name = "charge",
        StartUnixNano = 1_000,
        DurationNano = 20,
        Links = [new SpanLink(new TraceId(0, 9), 3)],
    };

    [Fact]
    public void Remove_KeepsTheFirstOfEqualSpans_AmongTheNewAndAgainstTheEarlier()
    {
        var earlier = new List<Span> { Client(1) };
        // Equal by value (links in a list of their own), not the same objects.
        var added = new List<Span> { Client(1), Client(2), Client(2), Client(1), Client(3) };

        var removed = new RepeatedSpans().Remove(earlier, static s => s, added, static s => s);

        Assert.Equal(3, removed);
        Assert.Equal([2UL, 3UL], added.Select(s => s.SpanId));
    }

    [Theory]
    [InlineData(3, 0)]
    [InlineData(20, 8)]
    [InlineData(40, 0)]
    [InlineData(30, 30)]
    public void Remove_FindsTheRepeats_WhetherTracesAreSmallOrLarge(int newSpans, int earlierSpans)
    {
        // Small traces compare ids pairwise, large ones through a set: both find the same repeats,
        // within the new spans (the last id again) and against the earlier (the first earlier id).
        var earlier = Enumerable.Range(1, earlierSpans).Select(i => Client((ulong)(1_000 + i))).ToList();
        var distinct = Enumerable.Range(1, newSpans).Select(i => Client((ulong)i)).ToList();
        var withRepeats = distinct.Append(Client((ulong)newSpans)).ToList();
        if (earlierSpans > 0)
        {
            withRepeats.Add(Client(1_001));
        }
        var unchanged = distinct.ToList();

        var removed = new RepeatedSpans().Remove(earlier, static s => s, withRepeats, static s => s);
        var none = new RepeatedSpans().Remove(earlier, static s => s, unchanged, static s => s);

        Assert.Equal(earlierSpans > 0 ? 2 : 1, removed);
        Assert.Equal(distinct.Select(s => s.SpanId), withRepeats.Select(s => s.SpanId));
        Assert.Equal(0, none);
        Assert.Equal(newSpans, unchanged.Count);
    }

    [Fact]
    public void Remove_KeepsSpansThatShareAnIdButDiffer()
    {
        // A Zipkin client and server sharing their id, a second piece of a span, another link.
        var server = Client() with { Kind = SpanKind.Server, LocalService = "payments", Shared = true, Links = [] };
        var piece = Client() with { DurationNano = 0 };
        var otherLink = Client() with { Links = [new SpanLink(new TraceId(0, 9), 4)] };
        var added = new List<Span> { server, piece, otherLink, Client() with { Error = true } };

        var removed = new RepeatedSpans().Remove([Client()], static s => s, added, static s => s);

        Assert.Equal(0, removed);
        Assert.Equal(4, added.Count);
    }

    [Fact]
    public void AreSame_ComparesEveryFieldAndTheLinksByValue()
    {
        Assert.True(RepeatedSpans.AreSame(Client(), Client()));
        Assert.False(RepeatedSpans.AreSame(Client(), Client() with { PeerService = "payments" }));
        Assert.False(RepeatedSpans.AreSame(Client(), Client() with { Links = [] }));
        Assert.False(RepeatedSpans.AreSame(Client(), Client() with { TraceId = new TraceId(1, 7) }));
    }
}
