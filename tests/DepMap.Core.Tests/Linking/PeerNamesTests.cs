using DepMap.Core.Reliability;
using DepMap.Core.Spans;

namespace DepMap.Core.Tests.Linking;

/// <summary>One naming function for peers: the graph and the reliability ranking name every uninstrumented peer and broker the same way.</summary>
public class PeerNamesTests
{
    public static TheoryData<string, string> Peers => new()
    {
        // What the client span carries, and the name both must give.
        { "socket", "10.0.0.9:8080" },
        { "empty peer.service", "10.0.0.9:8080" },
        { "deprecated host with db", "postgres" },
        { "deprecated socket only", "10.0.0.7:5432" },
        { "producer peer.service", "billing-queue" },
        { "producer messaging.system", "rabbitmq" },
    };

    [Theory]
    [MemberData(nameof(Peers))]
    public void RankingAndGraph_NameThePeerTheSameWay_WhenOnlyAttributesNameIt(string carries, string expected)
    {
        var trace = new TraceBuilder();
        var root = trace.Server("checkout");
        trace.Add(carries.StartsWith("producer", StringComparison.Ordinal) ? SpanKind.Producer : SpanKind.Client, "checkout", root, span => carries switch
        {
            "socket" => span with { NetworkPeerAddress = "10.0.0.9", NetworkPeerPort = 8080 },
            "empty peer.service" => span with { PeerService = "", NetworkPeerAddress = "10.0.0.9", NetworkPeerPort = 8080 },
            "deprecated host with db" => span with { NetPeerName = "mythical-database", DbName = "postgres", DbSystem = "postgresql" },
            "deprecated socket only" => span with { NetSockPeerAddress = "10.0.0.7", NetSockPeerPort = 5432 },
            "producer peer.service" => span with { PeerService = "billing-queue", MessagingSystem = "rabbitmq", DbName = "not-a-broker" },
            _ => span with { MessagingSystem = "rabbitmq", DbName = "not-a-broker" },
        });

        var graph = trace.Link().Where(c => c.Caller == "checkout").Select(c => c.Callee);
        var ranking = TraceReliability.Analyze(trace.Spans).Edges.Keys.Where(e => e.Caller == "checkout").Select(e => e.Callee);

        Assert.Equal([expected], graph);
        Assert.Equal([expected], ranking);
    }
}
