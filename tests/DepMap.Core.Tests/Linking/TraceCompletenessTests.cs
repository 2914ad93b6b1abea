using DepMap.Core.Linking;

namespace DepMap.Core.Tests.Linking;

public sealed class TraceCompletenessTests
{
    [Fact]
    public void IsComplete_True_WhenRootAndEveryClientAnswered()
    {
        var t = new TraceBuilder();
        var root = t.Server("Web");
        var client = t.Client("Web", root);
        var orders = t.Server("Orders", client);
        t.Internal("Orders", orders);

        Assert.True(TraceCompleteness.IsComplete(t.Spans));
    }

    [Fact]
    public void IsComplete_False_WhenNoSpanIsARoot()
    {
        var t = new TraceBuilder();
        var orders = t.Server("Orders", null, s => s with { ParentId = 99 });
        t.Internal("Orders", orders);

        Assert.False(TraceCompleteness.IsComplete(t.Spans));
    }

    [Fact]
    public void IsComplete_False_WhenASpansParentIsMissing()
    {
        var t = new TraceBuilder();
        var root = t.Server("Web");
        t.Internal("Web", root);
        // The client between Web and Orders has not arrived yet.
        t.Server("Orders", null, s => s with { ParentId = 77 });

        Assert.False(TraceCompleteness.IsComplete(t.Spans));
    }

    [Fact]
    public void IsComplete_False_WhenAClientIsUnanswered()
    {
        var t = new TraceBuilder();
        var root = t.Server("Web");
        t.Client("Web", root, s => s with { ServerAddress = "orders" });

        Assert.False(TraceCompleteness.IsComplete(t.Spans));
    }

    [Fact]
    public void IsComplete_False_WhenAClientIsAnsweredOnlyByItsOwnInternalSpan()
    {
        var t = new TraceBuilder();
        var root = t.Server("Web");
        var client = t.Client("Web", root);
        t.Internal("Web", client, s => s with { Name = "dns.lookup" });

        Assert.False(TraceCompleteness.IsComplete(t.Spans));
    }

    [Fact]
    public void IsComplete_True_WhenAClientIsAnsweredByAConsumerChild()
    {
        var t = new TraceBuilder();
        var root = t.Server("Web");
        var client = t.Client("Web", root);
        t.Consumer("Billing", client);

        Assert.True(TraceCompleteness.IsComplete(t.Spans));
    }

    // Zipkin's shared span: the server reuses the client's span id and names the client's parent.
    [Fact]
    public void IsComplete_True_WhenAClientIsAnsweredByASharedServerSpan()
    {
        var t = new TraceBuilder();
        var root = t.Server("Web");
        var client = t.Client("Web", root);
        t.Server("Orders", root, s => s with { SpanId = client.SpanId, Shared = true });

        Assert.True(TraceCompleteness.IsComplete(t.Spans));
    }

    [Theory]
    [InlineData("system")]
    [InlineData("systemName")]
    [InlineData("namespace")]
    [InlineData("name")]
    public void IsComplete_True_WhenAnUnansweredClientCallsADatabase(string attribute)
    {
        var t = new TraceBuilder();
        var root = t.Server("Web");
        t.Client("Web", root, s => attribute switch
        {
            "system" => s with { DbSystem = "postgresql" },
            "systemName" => s with { DbSystemName = "postgresql" },
            "namespace" => s with { DbNamespace = "orders" },
            _ => s with { DbName = "orders" },
        });

        Assert.True(TraceCompleteness.IsComplete(t.Spans));
    }

    [Fact]
    public void IsComplete_True_WhenAProducerIsUnanswered()
    {
        var t = new TraceBuilder();
        var root = t.Server("Web");
        t.Producer("Web", root, s => s with { MessagingSystem = "kafka" });

        Assert.True(TraceCompleteness.IsComplete(t.Spans));
    }

    [Fact]
    public void IsComplete_StaysFalse_UntilTheLastSpanArrives()
    {
        var t = new TraceBuilder();
        var root = t.Server("Web");
        var client = t.Client("Web", root);
        var orders = t.Server("Orders", client);
        t.Client("Orders", orders, s => s with { DbSystem = "postgresql" });
        // Children end first and are exported first: every proper prefix misses a parent.
        var all = t.Spans.Reverse().ToList();

        for (var arrived = 1; arrived < all.Count; arrived++)
        {
            Assert.False(TraceCompleteness.IsComplete(all.GetRange(0, arrived)), $"{arrived} of {all.Count} spans");
        }
        Assert.True(TraceCompleteness.IsComplete(all));
    }
}
