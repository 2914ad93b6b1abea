using DepMap.Core.Reliability;
using DepMap.Core.Spans;

namespace DepMap.Core.Tests.Reliability;

public class TraceReliabilityTests
{
    // gateway -> orders -> ledger -> ledger-db: the database call fails and every hop above it
    // reports the failure. Only ledger, which called the database, originated it.
    private static List<Span> LeafDatabaseFailurePassedUpTwoServices()
    {
        var trace = new TraceSketch();
        var gateway = trace.Server("gateway", 0, 100, error: true);
        var orders = trace.Call("gateway", "orders", 5, 90, gateway, error: true);
        var ledger = trace.Call("orders", "ledger", 10, 80, orders, error: true);
        trace.Database("ledger", "ledger-db", 20, 30, ledger, error: true);
        return trace.Spans;
    }

    [Fact]
    public void Analyze_AttributesLeafDatabaseFailureToItsCaller_WhenPassedUpThroughTwoServices()
    {
        var facts = TraceReliability.Analyze(LeafDatabaseFailurePassedUpTwoServices());

        Assert.Equal(new ServiceFacts(1, 1, 1, 0, facts.Services["ledger"].SelfTimeNano), facts.Services["ledger"]);
        Assert.Equal((1, 0, 1), (facts.Services["orders"].Errors, facts.Services["orders"].Originated, facts.Services["orders"].PassedOn));
        Assert.Equal((1, 0, 1), (facts.Services["gateway"].Errors, facts.Services["gateway"].Originated, facts.Services["gateway"].PassedOn));
    }

    [Fact]
    public void Analyze_SplitsFailedCallsIntoDownstreamAndAtClient_PerEdge()
    {
        var facts = TraceReliability.Analyze(LeafDatabaseFailurePassedUpTwoServices());

        Assert.Equal(new EdgeFacts(1, 1, 1, 0), facts.Edges[new ServiceEdge("gateway", "orders")]);
        Assert.Equal(new EdgeFacts(1, 1, 1, 0), facts.Edges[new ServiceEdge("orders", "ledger")]);
        Assert.Equal(new EdgeFacts(1, 1, 0, 1), facts.Edges[new ServiceEdge("ledger", "ledger-db")]);
        Assert.Equal(3, facts.Edges.Count);
    }

    [Fact]
    public void Analyze_OriginatesInServer_WhenFailedServerHasNoFailedChild()
    {
        var trace = new TraceSketch();
        var gateway = trace.Server("gateway", 0, 100, error: true);
        trace.Call("gateway", "users", 5, 50, gateway, error: false);

        var facts = TraceReliability.Analyze(trace.Spans);

        Assert.Equal(1, facts.Services["gateway"].Originated);
        Assert.Equal(0, facts.Services["users"].Errors);
    }

    [Fact]
    public void Analyze_LooksThroughUnmarkedInternalAndClientSpans_WhenTheCalleeFailed()
    {
        // Hand-made INTERNAL spans and some HTTP clients leave their status unset: the failure
        // under them still explains the server's.
        var trace = new TraceSketch();
        var gateway = trace.Server("gateway", 0, 100, error: true);
        var handler = trace.Internal("gateway", 1, 98, gateway);
        var client = trace.Client("gateway", 2, 90, handler);
        trace.Server("users", 3, 80, client, error: true);

        var facts = TraceReliability.Analyze(trace.Spans);

        Assert.Equal((0, 1), (facts.Services["gateway"].Originated, facts.Services["gateway"].PassedOn));
        Assert.Equal(1, facts.Services["users"].Originated);
        Assert.Equal(new EdgeFacts(1, 1, 1, 0), facts.Edges[new ServiceEdge("gateway", "users")]);
    }

    [Fact]
    public void Analyze_PassesOnOuterLoopbackRequest_WhenInnerRequestOfSameServiceFailed()
    {
        var trace = new TraceSketch();
        var outer = trace.Server("users", 0, 100, error: true);
        var inner = trace.Call("users", "users", 5, 50, outer, error: true);
        trace.Internal("users", 6, 10, inner, error: true);

        var facts = TraceReliability.Analyze(trace.Spans);

        Assert.Equal(new ServiceFacts(2, 2, 1, 1, facts.Services["users"].SelfTimeNano), facts.Services["users"]);
    }

    [Fact]
    public void Analyze_SubtractsOverlappingChildrenOnce_ForSelfTime()
    {
        // api [0,100] has children [10,40], [20,50] (overlap) and [45,60] (touches the second),
        // and [90,120] which runs past its end: covered = [10,60] + [90,100] = 60 ms, self = 40 ms.
        var trace = new TraceSketch();
        var api = trace.Server("api", 0, 100);
        trace.Database("api", "db", 10, 30, api);
        trace.Call("api", "search", 20, 30, api);
        trace.Internal("api", 45, 15, api);
        trace.Call("api", "audit", 90, 30, api);

        var facts = TraceReliability.Analyze(trace.Spans);

        // search's server span [20.5,49.5] is the client's only child: the client keeps 1 ms.
        Assert.Equal(TraceSketch.Ms(40) + TraceSketch.Ms(30) + TraceSketch.Ms(15) + TraceSketch.Ms(1) + TraceSketch.Ms(1),
            facts.Services["api"].SelfTimeNano);
        Assert.Equal(TraceSketch.Ms(29), facts.Services["search"].SelfTimeNano);
        Assert.Equal(TraceSketch.Ms(100), facts.EndToEndNano);
    }

    [Fact]
    public void Analyze_NamesEntryPointAndEveryServiceTouched()
    {
        var facts = TraceReliability.Analyze(LeafDatabaseFailurePassedUpTwoServices());

        Assert.Equal("gateway", facts.EntryPoint);
        Assert.Equal(["gateway", "ledger", "orders"], facts.Services.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Analyze_CountsDuplicateSpanOnce_WhenReportedTwice()
    {
        var spans = LeafDatabaseFailurePassedUpTwoServices();
        var once = TraceReliability.Analyze(spans);

        var twice = TraceReliability.Analyze([.. spans, .. spans]);

        Assert.Equal(once.Services, twice.Services);
        Assert.Equal(once.Edges, twice.Edges);
    }

    // The tree's arrays are reused from trace to trace: nothing of a larger trace may leak into the next.
    [Fact]
    public void Analyze_GivesSameFacts_WhenAnalysedAfterALargerTrace()
    {
        var spans = LeafDatabaseFailurePassedUpTwoServices();
        var first = TraceReliability.Analyze(spans);
        var large = new TraceSketch();
        var parent = large.Server("big", 0, 1000, error: true);
        for (var i = 0; i < 100; i++)
        {
            parent = large.Call("big-" + (i % 7), "big-" + ((i + 1) % 7), i + 1, 900 - (i * 5), parent, error: i % 3 == 0);
        }
        TraceReliability.Analyze(large.Spans);

        var again = TraceReliability.Analyze(spans);

        Assert.Equal(first.Services, again.Services);
        Assert.Equal(first.Edges, again.Edges);
        Assert.Equal((first.EntryPoint, first.EndToEndNano), (again.EntryPoint, again.EndToEndNano));
    }

    [Fact]
    public void Analyze_TreatsSpanWithMissingParentAsRoot_AndSpansTheTraceEndToEnd()
    {
        var trace = new TraceSketch();
        var lost = new Span { TraceId = new TraceId(0, 1), SpanId = 999, LocalService = "gateway" };
        trace.Server("users", 10, 20, lost, error: true);
        trace.Server("billing", 40, 20, lost);

        var facts = TraceReliability.Analyze(trace.Spans);

        Assert.Equal("users", facts.EntryPoint);
        Assert.Equal(TraceSketch.Ms(50), facts.EndToEndNano);
        Assert.Equal(1, facts.Services["users"].Originated);
    }

    [Fact]
    public void Analyze_Terminates_WhenParentIdsFormACycle()
    {
        var trace = new TraceSketch();
        var a = trace.Server("a", 0, 10);
        trace.Spans[0] = a with { ParentId = 2 };
        trace.Server("b", 1, 5, a, error: true);

        var facts = TraceReliability.Analyze(trace.Spans);

        Assert.Equal(1, facts.Services["a"].Requests);
        Assert.Equal(1, facts.Services["b"].Originated);
    }

    [Fact]
    public void Analyze_ParentsSharedServerSpanUnderItsClient_WhenZipkinSharesTheSpanId()
    {
        var trace = new TraceSketch();
        var root = trace.Server("web", 0, 100, error: true);
        var client = trace.Client("web", 10, 50, root, error: true);
        var shared = new Span
        {
            TraceId = client.TraceId,
            SpanId = client.SpanId,
            ParentId = root.SpanId,
            Kind = SpanKind.Server,
            Shared = true,
            LocalService = "api",
            StartUnixNano = TraceSketch.Ms(11),
            DurationNano = TraceSketch.Ms(48),
            Error = true,
        };
        trace.Spans.Add(shared);
        trace.Database("api", "api-db", 12, 10, shared, error: true);

        var facts = TraceReliability.Analyze(trace.Spans);

        Assert.Equal((0, 1), (facts.Services["web"].Originated, facts.Services["web"].PassedOn));
        Assert.Equal(1, facts.Services["api"].Originated);
        Assert.Equal(new EdgeFacts(1, 1, 1, 0), facts.Edges[new ServiceEdge("web", "api")]);
    }

    [Fact]
    public void Analyze_ReadsAsADictionary_EveryServiceAndEdgeOnceAndNothingElse()
    {
        var facts = TraceReliability.Analyze(LeafDatabaseFailurePassedUpTwoServices());

        Assert.Equal(["gateway", "ledger", "orders"], facts.Services.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(3, facts.Services.Count);
        Assert.True(facts.Services.ContainsKey("orders"));
        Assert.False(facts.Services.TryGetValue("ledger-db", out _));
        Assert.Throws<KeyNotFoundException>(() => facts.Services["nobody"]);
        Assert.Equal(
            [new ServiceEdge("gateway", "orders"), new ServiceEdge("ledger", "ledger-db"), new ServiceEdge("orders", "ledger")],
            facts.Edges.Keys.OrderBy(edge => edge.Caller, StringComparer.Ordinal));
        Assert.Equal(facts.Edges.Values, facts.Edges.Select(pair => pair.Value));
    }
}
