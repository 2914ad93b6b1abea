using DepMap.Core.Spans;

namespace DepMap.Core.Tests.Spans;

public sealed class SpanTests
{
    private static Span Client(string? dbName = null, string? messagingSystem = null, int? netSockPeerPort = null) => new()
    {
        TraceId = new TraceId(1, 2),
        SpanId = 3,
        ParentId = 4,
        Kind = SpanKind.Client,
        LocalService = "orders",
        DbName = dbName,
        MessagingSystem = messagingSystem,
        NetSockPeerPort = netSockPeerPort,
    };

    [Fact]
    public void Spans_CompareAndHashByValue_WithTheAttributesFewSpansCarry()
    {
        var a = Client(dbName: "orders", netSockPeerPort: 5432);
        var same = Client(dbName: "orders", netSockPeerPort: 5432);

        Assert.Equal(a, same);
        Assert.Equal(a.GetHashCode(), same.GetHashCode());
        Assert.NotEqual(a, Client(dbName: "billing", netSockPeerPort: 5432));
        Assert.NotEqual(a, Client(dbName: "orders", netSockPeerPort: 5433));
        Assert.NotEqual(a, Client(dbName: "orders"));
        Assert.NotEqual(Client(), Client(messagingSystem: "kafka"));
        Assert.Contains("DbName = orders", a.ToString());
    }

    [Fact]
    public void Span_MadeWithAnother_LeavesTheOthersAttributesAsTheyWere()
    {
        var original = Client(dbName: "orders", messagingSystem: "kafka");

        var changed = original with { DbName = "billing", NetSockPeerPort = 9092 };

        Assert.Equal(("orders", "kafka", (int?)null), (original.DbName, original.MessagingSystem, original.NetSockPeerPort));
        Assert.Equal(("billing", "kafka", (int?)9092), (changed.DbName, changed.MessagingSystem, changed.NetSockPeerPort));
    }

    [Fact]
    public void Span_WhoseFewCarriedAttributesAreTakenAway_EqualsOneThatNeverHadThem()
    {
        var emptied = Client(dbName: "orders", messagingSystem: "kafka") with { DbName = null, MessagingSystem = null };

        Assert.Equal(Client(), emptied);
        Assert.Equal(Client().GetHashCode(), emptied.GetHashCode());
    }

    [Fact]
    public void Span_WithSeveralOfTheFewCarriedAttributes_AllocatesOneObjectForThem()
    {
        // As a decoder makes them: every attribute assigned, absent ones as null.
        static Span Database(string? name, string? @namespace, string? systemName) => new()
        {
            TraceId = new TraceId(1, 2),
            SpanId = 3,
            Kind = SpanKind.Client,
            DbSystem = "postgresql",
            DbName = name,
            DbNamespace = @namespace,
            DbSystemName = systemName,
        };
        static Span OnlySystem() => new() { TraceId = new TraceId(1, 2), SpanId = 3, Kind = SpanKind.Client, DbSystem = "postgresql" };
        Database("orders", "orders", "postgresql");
        OnlySystem();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var one = OnlySystem();
        var afterOne = GC.GetAllocatedBytesForCurrentThread();
        var four = Database("orders", "orders", "postgresql");
        var afterFour = GC.GetAllocatedBytesForCurrentThread();

        // Filled in place while the span is made, not copied for each attribute.
        Assert.Equal(afterOne - before, afterFour - afterOne);
        Assert.Equal(("postgresql", "orders", "orders", "postgresql"), (four.DbSystem, four.DbName, four.DbNamespace, four.DbSystemName));
        Assert.Equal(one, Database(null, null, null));
    }
}
