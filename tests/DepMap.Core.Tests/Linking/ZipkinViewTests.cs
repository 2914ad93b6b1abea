using DepMap.Core.Linking;
using DepMap.Core.Spans;
using static DepMap.Core.Tests.Linking.ZipkinSpans;

namespace DepMap.Core.Tests.Linking;

/// <summary>
/// Every case of Zipkin's <c>DependencyLinkerTest</c> against the Zipkin view: same fixtures, same
/// links. Zipkin returns links in insertion order; <see cref="ZipkinDependencies.Aggregate"/>
/// sorts them, so expectations are written sorted by parent, then child.
/// </summary>
public sealed class ZipkinViewTests
{
    // In reverse order, as reporting is more likely to occur this way.
    private static readonly Span[] Trace =
    [
        Span("a", "b", "c", SpanKind.Client, "app", "db", true),
        Span("a", "a", "b", SpanKind.Server, "app", "web", false) with { Shared = true },
        Span("a", "a", "b", SpanKind.Client, "web", "app", false),
        Span("a", null, "a", SpanKind.Server, "web", null, false),
    ];

    [Fact]
    public void BaseCase_NoLinks_WhenNothingWasLinked()
    {
        Assert.Empty(ZipkinDependencies.Aggregate([]));
        Assert.Same(LinkedTrace.Empty, TraceLinker.Link([], LinkerOptions.Zipkin));
    }

    [Fact]
    public void LinksSpans_WebToAppAndAppToDb_WhenServerSharesClientId()
    {
        Assert.Equal([Link("app", "db", 1, 1), Link("web", "app", 1)], Links(Trace));
    }

    /// <summary>Trace id is opaque: nothing relies on trace id = root span id.</summary>
    [Fact]
    public void TraceIdIsOpaque_SameLinks_WhenTraceIdDiffersFromRootSpanId()
    {
        var differentTraceId = Trace.Select(s => s with { TraceId = new TraceId(0, 0x123) }).ToArray();

        Assert.Equal(Links(Trace), Links(differentTraceId));
    }

    /// <summary>Some don't propagate the server's parent id (openzipkin/zipkin#1745): unwind it.</summary>
    [Fact]
    public void LinksSpans_serverMissingParentId_LinksArnToLink_WhenSharedServerLacksParent()
    {
        Span[] trace =
        [
            Span("a", null, "a", SpanKind.Server, "arn", null, false),
            Span("a", "a", "b", SpanKind.Client, "arn", "link", false),
            Span("a", null, "b", SpanKind.Server, "link", "arn", false) with { Shared = true },
        ];
        Array.Reverse(trace); // reported in reverse order

        Assert.Equal([Link("arn", "link", 1)], Links(trace));
    }

    /// <summary>
    /// Zipkin logs the trace id so a late error can be traced back; DepMap has no logger in Core,
    /// so every call carries the trace id instead.
    /// </summary>
    [Fact]
    public void LogsTraceId_EveryCallCarriesTraceId_WhenLinked()
    {
        var calls = TraceLinker.Link(Trace, LinkerOptions.Zipkin).Calls;

        Assert.NotEmpty(calls);
        Assert.All(calls, call => Assert.Equal("000000000000000a", call.TraceId.ToString()));
    }

    /// <summary>A parent id stored late (not propagated) still resolves once it arrives.</summary>
    [Fact]
    public void LateParentIdInSharedSpan_SameLinks_WhenClientLacksParentId()
    {
        var withLateParent = Trace.ToArray();
        withLateParent[2] = Trace[2] with { ParentId = 0 };

        Assert.Equal([Link("app", "db", 1, 1), Link("web", "app", 1)], Links(withLateParent));
    }

    /// <summary>
    /// Zipkin's fixture removes index 1, the shared server span (its comment says the client): the
    /// link web -> app then comes from the "missing link to client span" backfill.
    /// </summary>
    [Fact]
    public void LostChildAndNoParentIdInSharedSpan_SameLinks_WhenServerSideNeverSent()
    {
        var lostClientOrphan = Trace.ToList();
        lostClientOrphan[2] = Trace[2] with { ParentId = 0 };
        lostClientOrphan.RemoveAt(1);

        Assert.Equal([Link("app", "db", 1, 1), Link("web", "app", 1)], Links(lostClientOrphan));
    }

    [Fact]
    public void MessagingSpansDontLinkWithoutBroker_consumer_OnlyBrokerToConsumer_WhenProducerNamesNoBroker()
    {
        Span[] trace =
        [
            Span("a", null, "a", SpanKind.Producer, "producer", null, false),
            Span("a", "a", "b", SpanKind.Consumer, "consumer", "kafka", false),
        ];

        Assert.Equal([Link("kafka", "consumer", 1)], Links(trace));
    }

    [Fact]
    public void MessagingSpansDontLinkWithoutBroker_producer_OnlyProducerToBroker_WhenConsumerNamesNoBroker()
    {
        Span[] trace =
        [
            Span("a", null, "a", SpanKind.Producer, "producer", "kafka", false),
            Span("a", "a", "b", SpanKind.Consumer, "consumer", null, false),
        ];

        Assert.Equal([Link("producer", "kafka", 1)], Links(trace));
    }

    [Fact]
    public void MessagingWithBroker_both_sides_same_LinksThroughBroker_WhenBothNameIt()
    {
        Span[] trace =
        [
            Span("a", null, "a", SpanKind.Producer, "producer", "kafka", false),
            Span("a", "a", "b", SpanKind.Consumer, "consumer", "kafka", false),
        ];

        Assert.Equal([Link("kafka", "consumer", 1), Link("producer", "kafka", 1)], Links(trace));
    }

    [Fact]
    public void MessagingWithBroker_different_LinksEachToItsBroker_WhenBrokersDiffer()
    {
        Span[] trace =
        [
            Span("a", null, "a", SpanKind.Producer, "producer", "kafka1", false),
            Span("a", "a", "b", SpanKind.Consumer, "consumer", "kafka2", false),
        ];

        Assert.Equal([Link("kafka2", "consumer", 1), Link("producer", "kafka1", 1)], Links(trace));
    }

    /// <summary>Zipkin does not assume a direct link between producer and consumer.</summary>
    [Fact]
    public void MessagingWithoutBroker_noLinks_NoLinks_WhenNoBrokerNamed()
    {
        Span[] trace =
        [
            Span("a", null, "a", SpanKind.Producer, "producer", null, false),
            Span("a", "a", "b", SpanKind.Consumer, "consumer", null, false),
        ];

        Assert.Empty(Links(trace));
    }

    /// <summary>A server under a producer is really an RPC.</summary>
    [Fact]
    public void ProducerLinksToServer_childSpan_ProducerToServer_WhenServerIsChild()
    {
        Span[] trace =
        [
            Span("a", null, "a", SpanKind.Producer, "producer", null, false),
            Span("a", "a", "b", SpanKind.Server, "server", null, false),
        ];

        Assert.Equal([Link("producer", "server", 1)], Links(trace));
    }

    /// <summary>Servers most often join a span: the same works with a producer instead of a client.</summary>
    [Fact]
    public void ProducerLinksToServer_sameSpan_ProducerToServer_WhenServerSharesId()
    {
        Span[] trace =
        [
            Span("a", null, "a", SpanKind.Producer, "producer", null, false),
            Span("a", null, "a", SpanKind.Server, "server", null, false) with { Shared = true },
        ];

        Assert.Equal([Link("producer", "server", 1)], Links(trace));
    }

    /// <summary>A client used instead of a producer is not linked: the consumer side is authoritative.</summary>
    [Fact]
    public void ClientDoesntLinkToConsumer_child_NoLinks_WhenConsumerNamesNoBroker()
    {
        Span[] trace =
        [
            Span("a", null, "a", SpanKind.Client, "client", null, false),
            Span("a", "a", "b", SpanKind.Consumer, "consumer", null, false),
        ];

        Assert.Empty(Links(trace));
    }

    /// <summary>A root span that knows its peer: the kind gives the direction.</summary>
    [Theory]
    [InlineData(SpanKind.Server, "server", "client", false)]
    [InlineData(SpanKind.Client, "client", "server", true)]
    public void LinksSpansDirectedByKind_ClientToServer_WhenRootKnowsPeer(SpanKind kind, string local, string remote, bool shared)
    {
        var span = Span("a", null, "a", kind, local, remote, false) with { Shared = shared };

        Assert.Equal([Link("client", "server", 1)], Links([span]));
    }

    [Fact]
    public void CallsAgainstTheSameLinkIncreasesCallCount_span_CountsTwo_WhenTwoClientSpans()
    {
        Span[] trace =
        [
            Span("a", null, "a", SpanKind.Server, "client", null, false),
            Span("a", "a", "b", SpanKind.Client, null, "server", false),
            Span("a", "a", "c", SpanKind.Client, null, "server", false),
        ];

        Assert.Equal([Link("client", "server", 2)], Links(trace));
    }

    [Fact]
    public void CallsAgainstTheSameLinkIncreasesCallCount_trace_CountsTwo_WhenTraceLinkedTwice()
    {
        Span[] trace =
        [
            Span("a", null, "a", SpanKind.Server, "client", null, false),
            Span("a", "a", "b", SpanKind.Client, null, "server", false),
        ];

        Assert.Equal([Link("client", "server", 2)], Links(trace, trace));
    }

    /// <summary>Spans don't always name both services; the kind links them without double counting.</summary>
    [Fact]
    public void SingleHostSpansResultInASingleCallCount_CountsOnce_WhenEachSideNamesOnlyItself()
    {
        Span[] trace =
        [
            Span("a", null, "a", SpanKind.Client, "client", null, false),
            Span("a", "a", "b", SpanKind.Server, "server", null, false),
        ];

        Assert.Equal([Link("client", "server", 1)], Links(trace));
    }

    [Fact]
    public void SingleHostSpansResultInASingleErrorCount_CountsErrorOnce_WhenBothSidesFailed()
    {
        Span[] trace =
        [
            Span("a", null, "a", SpanKind.Client, "client", null, true),
            Span("a", "a", "b", SpanKind.Server, "server", null, true),
        ];

        Assert.Equal([Link("client", "server", 1, 1)], Links(trace));
    }

    [Fact]
    public void SingleHostSpansResultInASingleErrorCount_sameId_CountsErrorOnce_WhenBothSidesFailed()
    {
        Span[] trace =
        [
            Span("a", null, "a", SpanKind.Client, "client", null, true),
            Span("a", null, "a", SpanKind.Server, "server", null, true) with { Shared = true },
        ];

        Assert.Equal([Link("client", "server", 1, 1)], Links(trace));
    }

    [Fact]
    public void SingleHostSpansResultInASingleCallCount_defersNameToServer_CountsOnce_WhenClientNamesServer()
    {
        Span[] trace =
        [
            Span("a", null, "a", SpanKind.Client, "client", "server", false),
            Span("a", "a", "b", SpanKind.Server, "server", null, false),
        ];

        Assert.Equal([Link("client", "server", 1)], Links(trace));
    }

    [Fact]
    public void SingleHostSpans_multipleChildren_CountsEachServer_WhenClientHasTwoServers()
    {
        Span[] trace =
        [
            Span("a", null, "a", SpanKind.Client, "client", null, false),
            Span("a", "a", "b", SpanKind.Server, "server", "client", true),
            Span("a", "a", "c", SpanKind.Server, "server", "client", false),
        ];

        Assert.Equal([Link("client", "server", 2, 1)], Links(trace));
    }

    [Fact]
    public void SingleHostSpans_multipleChildren_defersNameToServer_CountsEachServer_WhenClientNamesServer()
    {
        Span[] trace =
        [
            Span("a", null, "a", SpanKind.Client, "client", "server", false),
            Span("a", "a", "b", SpanKind.Server, "server", null, false),
            Span("a", "a", "c", SpanKind.Server, "server", null, false),
        ];

        Assert.Equal([Link("client", "server", 2)], Links(trace));
    }

    /// <summary>
    /// A kind-less span in between is transparent; the clients name no peer, so the links come
    /// from Zipkin's "missing link to client span" backfill from the nearest server.
    /// </summary>
    [Fact]
    public void IntermediatedClientSpansMissingLocalServiceNameLinkToNearestServer_CountsTwo_WhenLocalSpanBetween()
    {
        Span[] trace =
        [
            Span("a", null, "a", SpanKind.Server, "client", null, false),
            Span("a", "a", "b", null, null, null, false),
            Span("a", "b", "c", SpanKind.Client, "server", null, false),
            Span("a", "b", "d", SpanKind.Client, "server", null, false),
        ];

        Assert.Equal([Link("client", "server", 2)], Links(trace));
    }

    /// <summary>The backfilled links know nothing of failures, so the clients' errors are not counted.</summary>
    [Fact]
    public void ErrorsOnUninstrumentedLinks_NoErrorCount_WhenOnlyBackfilledLinksExist()
    {
        Span[] trace =
        [
            Span("a", null, "a", SpanKind.Server, "client", null, false),
            Span("a", "a", "b", null, null, null, false),
            Span("a", "b", "c", SpanKind.Client, "server", null, true),
            Span("a", "b", "d", SpanKind.Client, "server", null, true),
        ];

        Assert.Equal([Link("client", "server", 2)], Links(trace));
    }

    [Fact]
    public void ErrorsOnInstrumentedLinks_CountsClientError_WhenClientNamesPeer()
    {
        Span[] trace =
        [
            Span("a", null, "a", SpanKind.Server, "foo", null, false),
            Span("a", "a", "b", null, null, null, false),
            Span("a", "b", "c", SpanKind.Client, "bar", "baz", true),
            Span("a", "b", "d", SpanKind.Client, "bar", "baz", false),
        ];

        Assert.Equal([Link("bar", "baz", 2, 1), Link("foo", "bar", 2)], Links(trace));
    }

    /// <summary>Zipkin asserts a log line "incrementing error link foo -> bar"; the link itself is what we can check.</summary>
    [Fact]
    public void LinkWithErrorIsLogged_ErrorCounted_WhenLeafClientFailed()
    {
        Assert.Equal([Link("foo", "bar", 1, 1)], Links([Span("a", "b", "c", SpanKind.Client, "foo", "bar", true)]));
    }

    /// <summary>
    /// The tag marks a failed span, never an annotation named "error". Our span model has no
    /// annotations: decoders set <see cref="Span.Error"/> from the tag only, so an unflagged span
    /// links without error even with an HTTP status that Zipkin would not read either.
    /// </summary>
    [Fact]
    public void AnnotationNamedErrorDoesntIncrementErrorCount_NoError_WhenErrorFlagUnset()
    {
        var span = Span("a", "b", "c", SpanKind.Client, "foo", "bar", false) with { HttpResponseStatusCode = 500 };

        Assert.Equal([Link("foo", "bar", 1)], Links([span]));
    }

    /// <summary>A loopback span is direction-agnostic, linked whatever its kind.</summary>
    [Theory]
    [InlineData("a", SpanKind.Server)]
    [InlineData("b", SpanKind.Client)]
    public void LinksLoopbackSpans_SelfLink_WhenBothSidesAreOneService(string id, SpanKind kind)
    {
        var span = Span(id, null, id, kind, "service", "service", false);

        Assert.Equal([Link("service", "service", 1)], Links([span]));
    }

    [Fact]
    public void NoSpanKindTreatedSameAsClient_LinksChain_WhenKindlessSpansNameBothSides()
    {
        Span[] trace =
        [
            Span("a", null, "a", null, "some-client", "web", false),
            Span("a", "a", "b", null, "web", "app", false),
            Span("a", "b", "c", null, "app", "db", false),
        ];

        Assert.Equal([Link("app", "db", 1), Link("some-client", "web", 1), Link("web", "app", 1)], Links(trace));
    }

    [Fact]
    public void NoSpanKindWithError_CountsError_WhenKindlessSpanFailed()
    {
        Span[] trace =
        [
            Span("a", null, "a", null, "some-client", "web", false),
            Span("a", "a", "b", null, "web", "app", true),
            Span("a", "b", "c", null, "app", "db", false),
        ];

        Assert.Equal([Link("app", "db", 1), Link("some-client", "web", 1), Link("web", "app", 1, 1)], Links(trace));
    }

    /// <summary>A link is between two services: no link without both names.</summary>
    [Theory]
    [InlineData(SpanKind.Server, null, null)]
    [InlineData(SpanKind.Server, "server", null)]
    [InlineData(SpanKind.Server, null, "client")]
    [InlineData(SpanKind.Client, null, null)]
    [InlineData(SpanKind.Client, "client", null)]
    [InlineData(SpanKind.Client, null, "server")]
    public void CannotLinkSingleSpanWithoutBothServiceNames_NoLinks_WhenANameIsMissing(SpanKind kind, string? local, string? remote)
    {
        Assert.Empty(Links([Span("a", null, "a", kind, local, remote, false)]));
    }

    [Fact]
    public void DoesntLinkUnrelatedSpansWhenMissingRootSpan_NoLinks_WhenSiblingsShareMissingParent()
    {
        Span[] trace =
        [
            Span("a", "a", "b", SpanKind.Server, "service1", null, false),
            Span("a", "a", "c", SpanKind.Server, "service2", null, false),
        ];

        Assert.Empty(Links(trace));
    }

    [Fact]
    public void LinksRelatedSpansWhenMissingRootSpan_LinksParentToChild_WhenRootIsMissing()
    {
        Span[] trace =
        [
            Span("a", "a", "b", SpanKind.Server, "service1", null, false),
            Span("a", "b", "c", SpanKind.Server, "service2", null, false),
        ];

        Assert.Equal([Link("service1", "service2", 1)], Links(trace));
    }

    /// <summary>Client and server that don't share ids: the server links to its missing peer.</summary>
    [Fact]
    public void LinksSingleHostSpans_WebToApp_WhenIdsNotShared()
    {
        Span[] trace =
        [
            Span("a", null, "a", SpanKind.Client, "web", null, false),
            Span("a", "a", "b", SpanKind.Server, "app", null, false),
        ];

        Assert.Equal([Link("web", "app", 1)], Links(trace));
    }

    [Fact]
    public void LinksSingleHostSpans_errorOnClient_CountsClientError_WhenClientIsDirectParent()
    {
        Span[] trace =
        [
            Span("a", null, "a", SpanKind.Client, "web", null, true),
            Span("a", "a", "b", SpanKind.Server, "app", null, false),
        ];

        Assert.Equal([Link("web", "app", 1, 1)], Links(trace));
    }

    /// <summary>A span missing between server "web" and client "app": the RPC web -> app is backfilled.</summary>
    [Fact]
    public void MissingSpan_BackfillsWebToApp_WhenClientRunsInAnotherService()
    {
        Span[] trace =
        [
            Span("a", null, "a", SpanKind.Server, "web", null, false),
            Span("a", "a", "b", SpanKind.Client, "app", null, false),
        ];

        Assert.Equal([Link("web", "app", 1)], Links(trace));
    }

    [Fact]
    public void Merge_SumsCallsAndErrors_WhenSameParentAndChild()
    {
        DependencyLink[] links = [Link("foo", "bar", 2, 1), Link("foo", "bar", 2, 2), Link("foo", "foo", 1)];

        Assert.Equal([Link("foo", "bar", 4, 3), Link("foo", "foo", 1)], ZipkinDependencies.Merge(links));
    }

    /// <summary>Merge keeps first-seen order, as Zipkin's does: client -> client stays last.</summary>
    [Fact]
    public void Merge_error_SumsCalls_WhenNoErrors()
    {
        DependencyLink[] links = [Link("client", "server", 2), Link("client", "server", 2), Link("client", "client", 1)];

        Assert.Equal([Link("client", "server", 4), Link("client", "client", 1)], ZipkinDependencies.Merge(links));
    }

    /// <summary>One hop reports 64-bit ids, another 128-bit: Zipkin's storage groups them by the low 64 bits.</summary>
    [Fact]
    public void LinkAll_OneTrace_WhenHopsMix64And128BitTraceIds()
    {
        Span[] spans =
        [
            Span("a", null, "a", SpanKind.Server, "web", null, false),
            Span("463ac35c9f6413ad000000000000000a", "a", "b", SpanKind.Client, "web", null, false),
            Span("463ac35c9f6413ad000000000000000a", "b", "c", SpanKind.Server, "app", null, false),
        ];

        var traces = TraceLinker.LinkAll(spans, LinkerOptions.Zipkin).ToList();

        var trace = Assert.Single(traces);
        Assert.Equal([Link("web", "app", 1)], ZipkinDependencies.Aggregate(trace.Calls));
        Assert.All(trace.Calls, call => Assert.Equal("463ac35c9f6413ad000000000000000a", call.TraceId.ToString()));
    }

    [Fact]
    public void ZipkinView_LowerCasesNames_WhenServicesAreMixedCase()
    {
        Assert.Equal([Link("web", "app", 1)], Links([Span("a", null, "a", SpanKind.Client, "Web", "APP", false)]));
    }
}
