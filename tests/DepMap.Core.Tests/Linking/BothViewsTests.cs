using DepMap.Core.Linking;
using DepMap.Core.Spans;

namespace DepMap.Core.Tests.Linking;

/// <summary>Both views from one tree give what each view gives linked alone.</summary>
public sealed class BothViewsTests
{
    // The views disagree on every fork of this trace: mixed-case names (Zipkin lower-cases), a
    // consumer that links to its producer (DepMap pairs them, Zipkin names the broker), an
    // unnamed leaf client (DepMap counts it) and an entry edge (DepMap only).
    private static IReadOnlyList<Span> TraceWhereViewsDiffer()
    {
        var t = new TraceBuilder();
        var root = t.Server("Web");
        t.Client("Web", root, s => s with { Name = "GET" });
        var producer = t.Producer("Web", root, s => s with { MessagingSystem = "kafka", RemoteService = "Kafka" });
        t.Consumer("Billing", null, s => s with { Links = [new SpanLink(t.TraceId, producer.SpanId)], RemoteService = "Kafka" });
        var client = t.Client("Web", root, s => s with { ServerAddress = "db.local", Error = true });
        t.Server("Orders", client);
        return t.Spans;
    }

    [Fact]
    public void LinkBothViews_GivesEachViewAsLinkedAlone_WhenViewsDisagree()
    {
        var spans = TraceWhereViewsDiffer();

        var (depMap, zipkin) = TraceLinker.LinkBothViews(spans);

        var depMapAlone = TraceLinker.Link(spans, LinkerOptions.DepMap);
        var zipkinAlone = TraceLinker.Link(spans, LinkerOptions.Zipkin);
        Assert.NotEqual(depMapAlone.Calls, zipkinAlone.Calls);
        Assert.Equal(depMapAlone.Calls, depMap.Calls);
        Assert.Equal(depMapAlone.UnnamedCalls, depMap.UnnamedCalls);
        Assert.Equal(zipkinAlone.Calls, zipkin.Calls);
        Assert.Equal(zipkinAlone.UnnamedCalls, zipkin.UnnamedCalls);
    }

    [Fact]
    public void LinkBothViews_GivesSameViews_WhenLinkedAfterALargerTrace()
    {
        var spans = TraceWhereViewsDiffer();
        var (depMap, zipkin) = TraceLinker.LinkBothViews(spans);
        var large = new TraceBuilder(0x9999);
        var parent = large.Server("big");
        for (var i = 0; i < 100; i++)
        {
            parent = large.Server("big-" + (i % 7), large.Client("big-" + ((i + 6) % 7), parent));
        }
        TraceLinker.LinkBothViews(large.Spans);

        var (depMapAgain, zipkinAgain) = TraceLinker.LinkBothViews(spans);

        Assert.Equal(depMap.Calls, depMapAgain.Calls);
        Assert.Equal(depMap.UnnamedCalls, depMapAgain.UnnamedCalls);
        Assert.Equal(zipkin.Calls, zipkinAgain.Calls);
    }

    [Fact]
    public void LinkBothViews_SharesAServersCall_WhenBothViewsGiveTheSameCall()
    {
        // web -> orders agrees in both views; orders -> ledger fails only in DepMap's (the client
        // failed, and Zipkin looks at a failed client only when the server is its direct child).
        var t = new TraceBuilder();
        var root = t.Server("web");
        var orders = t.Server("orders", t.Client("web", root));
        var failing = t.Client("orders", orders, s => s with { Error = true });
        t.Server("ledger", t.Internal("orders", failing));

        var (depMap, zipkin) = TraceLinker.LinkBothViews(t.Spans);

        Assert.Equal(TraceLinker.Link(t.Spans, LinkerOptions.DepMap).Calls, depMap.Calls);
        Assert.Equal(TraceLinker.Link(t.Spans, LinkerOptions.Zipkin).Calls, zipkin.Calls);
        Assert.Same(depMap.Calls.Single(call => call.Callee == "orders"), zipkin.Calls.Single(call => call.Callee == "orders"));
        var ledger = (DepMap: depMap.Calls.Single(call => call.Callee == "ledger"), Zipkin: zipkin.Calls.Single(call => call.Callee == "ledger"));
        Assert.NotSame(ledger.DepMap, ledger.Zipkin);
        Assert.Equal((true, false), (ledger.DepMap.Failed, ledger.Zipkin.Failed));
    }

    [Fact]
    public void LinkBothViews_GivesEmptyViews_WhenNoSpans()
    {
        var (depMap, zipkin) = TraceLinker.LinkBothViews([]);

        Assert.Same(LinkedTrace.Empty, depMap);
        Assert.Same(LinkedTrace.Empty, zipkin);
    }
}
