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
