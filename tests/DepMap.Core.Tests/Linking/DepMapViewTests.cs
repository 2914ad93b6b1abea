using DepMap.Core.Linking;
using DepMap.Core.Spans;

namespace DepMap.Core.Tests.Linking;

/// <summary>The DepMap view's rules, each shown with a small trace.</summary>
public sealed class DepMapViewTests
{
    private static readonly LinkerOptions NoEntry = LinkerOptions.DepMap with { EntryNodeName = null };

    [Fact]
    public void Link_PairsClientAndServer_WhenInternalSpanSitsBetween()
    {
        var t = new TraceBuilder();
        var root = t.Server("web");
        var client = t.Client("web", root, s => s with { Name = "GET", DurationNano = 30, ServiceNamespace = "shop" });
        var proxy = t.Internal("web", client);
        t.Server("app", proxy, s => s with { Name = "GET /orders", DurationNano = 20, ServiceNamespace = "backend" });

        var call = Assert.Single(t.Link(NoEntry));

        Assert.Equal(("web", NodeType.Service, "shop"), (call.Caller, call.CallerType, call.CallerNamespace));
        Assert.Equal(("app", NodeType.Service, "backend"), (call.Callee, call.CalleeType, call.CalleeNamespace));
        Assert.Equal(ConnectionType.None, call.ConnectionType);
        Assert.Equal((30L, 20L), (call.ClientDurationNano, call.ServerDurationNano));
        Assert.Equal("GET /orders", call.Operation);
        Assert.Equal(client.StartUnixNano, call.StartUnixNano);
        Assert.Equal(t.TraceId, call.TraceId);
    }

    [Fact]
    public void Link_CallsDatabaseNode_WhenLeafClientHasDbAttributes()
    {
        var t = new TraceBuilder();
        var root = t.Server("web");
        t.Client("web", root, s => s with { Name = "SELECT orders", DbSystemName = "postgresql", DbNamespace = "orders" });

        var call = Assert.Single(t.Link(NoEntry));

        Assert.Equal(("web", "orders"), (call.Caller, call.Callee));
        Assert.Equal((NodeType.Database, ConnectionType.Database), (call.CalleeType, call.ConnectionType));
        Assert.Equal("SELECT orders", call.Operation);
        Assert.Null(call.ServerDurationNano);
    }

    /// <summary>First match wins: remote endpoint, peer.service, server.address, network peer, then the db names.</summary>
    [Theory]
    [InlineData("remote", "remote")]
    [InlineData("peer", "peer")]
    [InlineData("address", "db.example")]
    [InlineData("network", "10.0.0.7:5432")]
    [InlineData("namespace", "orders")]
    [InlineData("name", "orders_v1")]
    [InlineData("system", "postgresql")]
    [InlineData("systemName", "postgres")]
    public void Link_NamesDatabaseByPrecedence_WhenAttributesFromThisOneOn(string first, string expected)
    {
        string[] order = ["remote", "peer", "address", "network", "namespace", "name", "system", "systemName"];
        var from = Array.IndexOf(order, first);
        string? Value(string key, string value) => Array.IndexOf(order, key) >= from ? value : null;
        var t = new TraceBuilder();
        var root = t.Server("web");
        t.Client("web", root, s => s with
        {
            RemoteService = Value("remote", "remote"),
            PeerService = Value("peer", "peer"),
            ServerAddress = Value("address", "db.example"),
            NetworkPeerAddress = Value("network", "10.0.0.7"),
            NetworkPeerPort = 5432,
            DbNamespace = Value("namespace", "orders"),
            DbName = Value("name", "orders_v1"),
            DbSystem = Value("system", "postgresql"),
            DbSystemName = "postgres",
        });

        var call = Assert.Single(t.Link(NoEntry));

        Assert.Equal(expected, call.Callee);
        Assert.Equal(NodeType.Database, call.CalleeType);
    }

    [Fact]
    public void Link_CallsVirtualPeer_WhenLeafClientHasPeerService()
    {
        var t = new TraceBuilder();
        var root = t.Server("web");
        t.Client("web", root, s => s with { PeerService = "payments-api", ServerAddress = "pay.example", Error = true });

        var call = Assert.Single(t.Link(NoEntry));

        Assert.Equal(("web", "payments-api"), (call.Caller, call.Callee));
        Assert.Equal((NodeType.External, ConnectionType.VirtualNode), (call.CalleeType, call.ConnectionType));
        Assert.True(call.Failed);
    }

    [Fact]
    public void Link_CountsUnnamedCall_WhenLeafClientNamesNoPeer()
    {
        var t = new TraceBuilder();
        var root = t.Server("web");
        var client = t.Client("web", root, s => s with { Error = true });

        var linked = TraceLinker.Link(t.Spans, NoEntry);

        Assert.Empty(linked.Calls);
        Assert.Equal([new UnnamedCall("web", true, client.StartUnixNano)], linked.UnnamedCalls);
    }

    [Fact]
    public void Link_AddsUserEntryEdge_WhenRootServerHasNoCaller()
    {
        var t = new TraceBuilder();
        t.Server("web", with: s => s with { Name = "GET /", Error = true });

        var call = Assert.Single(t.Link());

        Assert.Equal(("user", NodeType.User, "web"), (call.Caller, call.CallerType, call.Callee));
        Assert.Equal(ConnectionType.VirtualNode, call.ConnectionType);
        Assert.True(call.Failed);
        Assert.Null(call.ClientDurationNano);
        Assert.Equal("GET /", call.Operation);
    }

    [Fact]
    public void Link_NamesEntryNodeFromOptions_WhenConfigured()
    {
        var t = new TraceBuilder();
        t.Server("web");

        Assert.Equal("internet", Assert.Single(t.Link(LinkerOptions.DepMap with { EntryNodeName = "internet" })).Caller);
        Assert.Empty(t.Link(NoEntry));
    }

    /// <summary>server.address names the server itself and network.peer.address is a socket: neither names the caller.</summary>
    [Fact]
    public void Link_CallerOfRootServerIsPeerService_ElseUser_NotServerOrNetworkAddress()
    {
        var named = new TraceBuilder();
        named.Server("web", with: s => s with { PeerService = "mobile-app", ServerAddress = "web.example" });
        var unnamed = new TraceBuilder();
        unnamed.Server("web", with: s => s with { ServerAddress = "web.example", NetworkPeerAddress = "10.1.1.1" });

        var call = Assert.Single(named.Link());
        Assert.Equal(("mobile-app", NodeType.External, ConnectionType.VirtualNode), (call.Caller, call.CallerType, call.ConnectionType));
        Assert.Equal("user", Assert.Single(unnamed.Link()).Caller);
    }

    /// <summary>"Root" is the root of Zipkin's tree: a trace whose root was never reported has no entry.</summary>
    [Fact]
    public void Link_NoUserEdge_WhenTraceIsHeadless()
    {
        var t = new TraceBuilder();
        t.Server("web", with: s => s with { ParentId = 0xdead });

        Assert.Empty(t.Link());
    }

    [Fact]
    public void Link_GivesDirectMessagingEdge_WhenConsumerDescendsFromProducerInAnotherService()
    {
        var t = new TraceBuilder();
        var root = t.Server("shop");
        var producer = t.Producer("shop", root, s => s with { MessagingSystem = "kafka", MessagingDestinationName = "orders", DurationNano = 2 });
        t.Consumer("billing", producer, s => s with { StartUnixNano = producer.EndUnixNano + 500, Name = "orders process" });

        var call = Assert.Single(t.Link(NoEntry));

        Assert.Equal(("shop", "billing", ConnectionType.MessagingSystem), (call.Caller, call.Callee, call.ConnectionType));
        Assert.Equal(("kafka", "orders"), (call.Broker, call.Destination));
        Assert.Equal(500, call.QueueDelayNano);
        Assert.Equal("orders process", call.Operation);
    }

    [Fact]
    public void Link_ProducerCallsBroker_WhenConsumerNeverAppears()
    {
        var t = new TraceBuilder();
        var root = t.Server("shop");
        t.Producer("shop", root, s => s with { MessagingSystem = "rabbitmq", MessagingDestinationName = "mail" });

        var call = Assert.Single(t.Link(NoEntry));

        Assert.Equal(("shop", "rabbitmq", NodeType.Broker), (call.Caller, call.Callee, call.CalleeType));
        Assert.Equal((ConnectionType.MessagingSystem, "rabbitmq", "mail"), (call.ConnectionType, call.Broker, call.Destination));
    }

    [Fact]
    public void Link_BrokerCallsConsumer_WhenProducerNeverAppears()
    {
        var t = new TraceBuilder();
        t.Consumer("billing", with: s => s with { MessagingSystem = "kafka", MessagingDestinationName = "orders" });

        var call = Assert.Single(t.Link());

        Assert.Equal(("kafka", NodeType.Broker, "billing"), (call.Caller, call.CallerType, call.Callee));
        Assert.Equal((ConnectionType.MessagingSystem, "kafka", "orders"), (call.ConnectionType, call.Broker, call.Destination));
    }

    [Fact]
    public void Link_PairsConsumerWithLinkedProducer_WhenTiedOnlyBySpanLink()
    {
        var t = new TraceBuilder();
        var root = t.Server("shop");
        var producer = t.Producer("shop", root, s => s with { MessagingSystem = "kafka" });
        t.Consumer("billing", with: s => s with
        {
            Links = [new SpanLink(t.TraceId, producer.SpanId)],
            StartUnixNano = producer.EndUnixNano + 42,
        });

        var calls = t.Link(NoEntry);

        var call = Assert.Single(calls);
        Assert.Equal(("shop", "billing", ConnectionType.MessagingSystem), (call.Caller, call.Callee, call.ConnectionType));
        Assert.Equal(42, call.QueueDelayNano);
    }

    /// <summary>A consumer starting before its producer ended is clock skew between hosts, not a queue.</summary>
    [Fact]
    public void Link_RecordsNoQueueDelay_WhenClocksAreSkewed()
    {
        var t = new TraceBuilder();
        var producer = t.Producer("shop", with: s => s with { MessagingSystem = "kafka" });
        t.Consumer("billing", producer, s => s with { StartUnixNano = producer.EndUnixNano - 5 });

        Assert.Null(Assert.Single(t.Link(NoEntry)).QueueDelayNano);
    }

    [Fact]
    public void Link_CountsSpanOnce_WhenReportedTwice()
    {
        var t = new TraceBuilder();
        var root = t.Server("web");
        var client = t.Client("web", root);
        var server = t.Server("app", client);
        t.Again(client).Again(server).Again(root);

        Assert.Equal([("user", "web"), ("web", "app")], t.Link().Select(c => (c.Caller, c.Callee)).Order());
    }

    [Fact]
    public void Link_NoSelfEdge_WhenInternalSpansAndNestedServersStayInOneService()
    {
        var t = new TraceBuilder();
        var root = t.Server("web");
        var handler = t.Internal("web", root);
        t.Internal("web", handler);
        t.Server("web", handler); // a second instrumentation of the same request

        Assert.Empty(t.Link(NoEntry));
    }

    [Fact]
    public void Link_SelfEdge_WhenRealLoopbackRpc()
    {
        var t = new TraceBuilder();
        var root = t.Server("web");
        var client = t.Client("web", root);
        t.Server("web", client);

        var call = Assert.Single(t.Link(NoEntry));

        Assert.Equal(("web", "web", ConnectionType.None), (call.Caller, call.Callee, call.ConnectionType));
    }

    /// <summary>Zipkin skips a client with any child; DepMap only one answered by a server or consumer.</summary>
    [Fact]
    public void Link_ClientStillCallsPeer_WhenItsOnlyChildrenAreInternal()
    {
        var t = new TraceBuilder();
        var root = t.Server("web");
        var client = t.Client("web", root, s => s with { PeerService = "payments" });
        t.Internal("web", client, s => s with { Name = "dns.lookup" });
        t.Internal("web", client, s => s with { Name = "tcp.connect" });

        Assert.Equal(("web", "payments"), Single(t.Link(NoEntry)));
        Assert.Empty(t.Link(LinkerOptions.Zipkin));
    }

    [Theory]
    [InlineData(true, false, true)]
    [InlineData(false, true, true)]
    [InlineData(true, true, true)]
    [InlineData(false, false, false)]
    public void Link_FailsOnce_WhenEitherSideFailed(bool clientFailed, bool serverFailed, bool failed)
    {
        var t = new TraceBuilder();
        var root = t.Server("web");
        var client = t.Client("web", root, s => s with { Error = clientFailed });
        t.Server("app", client, s => s with { Error = serverFailed });

        var call = Assert.Single(t.Link(NoEntry));

        Assert.Equal(failed, call.Failed);
    }

    /// <summary>A hop nobody reported is linked, but nothing is known of its failure.</summary>
    [Fact]
    public void Link_BackfilledHopCarriesNoFailure_WhenClientRunsInAnotherService()
    {
        var t = new TraceBuilder();
        var root = t.Server("web", with: s => s with { Error = true });
        t.Client("app", root, s => s with { PeerService = "payments", Error = true });

        var calls = t.Link(NoEntry).OrderBy(c => c.Caller).ToList();

        Assert.Equal([("app", "payments", true), ("web", "app", false)], calls.Select(c => (c.Caller, c.Callee, c.Failed)));
    }

    [Fact]
    public void Link_KeepsNameCase_WhenDepMapView()
    {
        var t = new TraceBuilder();
        var root = t.Server("Web");
        t.Client("Web", root, s => s with { PeerService = "Payments" });

        Assert.Equal(("Web", "Payments"), Single(t.Link(NoEntry)));
    }

    [Fact]
    public void Link_TreatsEmptyValuesAsAbsent_WhenNamingPeers()
    {
        var t = new TraceBuilder();
        var root = t.Server("web", with: s => s with { PeerService = "" });
        t.Client("web", root, s => s with { RemoteService = "", PeerService = "", ServerAddress = "api.example" });
        // An empty service is no service: the nearest remote ancestor names the caller, as in Zipkin.
        t.Client("", root, s => s with { PeerService = "orders-api" });

        var calls = t.Link().Select(c => (c.Caller, c.Callee)).Order();

        Assert.Equal([("user", "web"), ("web", "api.example"), ("web", "orders-api")], calls);
    }

    private static (string Caller, string Callee) Single(IReadOnlyList<Call> calls)
    {
        var call = Assert.Single(calls);
        return (call.Caller, call.Callee);
    }
}
