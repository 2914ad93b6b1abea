using DepMap.Core.Spans;
using DepMap.Storage.Spans;

namespace DepMap.Storage.Tests.Spans;

public class SpanCodecTests
{
    private static readonly TraceId Trace = new(0x0123456789abcdef, 0xfedcba9876543210);

    [Fact]
    public void Decode_ReturnsEveryField_WhenSpanIsComplete()
    {
        var span = new Span
        {
            TraceId = Trace,
            SpanId = ulong.MaxValue,
            ParentId = 0x8000000000000001,
            Kind = SpanKind.Consumer,
            LocalService = "tracking",
            RemoteService = "kafka",
            Shared = true,
            Name = "process shipments é",
            StartUnixNano = 1_700_000_000_123_456_789,
            DurationNano = 42,
            Error = true,
            Links = [new SpanLink(new TraceId(0, 7), 9), new SpanLink(Trace, ulong.MaxValue)],
            PeerService = "peer",
            ServerAddress = "db.internal",
            ServerPort = 5432,
            NetworkPeerAddress = "10.0.0.1",
            NetworkPeerPort = -1,
            DbNamespace = "orders",
            DbName = "orders_db",
            DbSystem = "postgresql",
            DbSystemName = "postgresql",
            MessagingSystem = "kafka",
            MessagingDestinationName = "shipments",
            HttpResponseStatusCode = 503,
            ServiceNamespace = "logistics",
        };

        var decoded = SpanCodec.Decode(SpanCodec.Encode(span), Trace);

        Assert.Equal(span with { Links = [] }, decoded with { Links = [] });
        Assert.Equal(span.Links, decoded.Links);
    }

    [Fact]
    public void Decode_SharesNamesButNotAddresses_WhenGivenStrings()
    {
        var strings = new SpanStrings();
        var span = new Span
        {
            TraceId = Trace,
            SpanId = 1,
            LocalService = "tracking",
            Name = "GET /shipments/{id}",
            ServerAddress = "10.0.0.1",
            DbSystemName = "postgresql",
        };
        var data = SpanCodec.Encode(span);

        var first = SpanCodec.Decode(data, Trace, strings);
        var second = SpanCodec.Decode(data, Trace, strings);

        Assert.Equal(span with { Links = [] }, second with { Links = [] });
        Assert.Same(first.LocalService, second.LocalService);
        Assert.Same(first.Name, second.Name);
        Assert.Same(first.DbSystemName, second.DbSystemName);
        Assert.NotSame(first.ServerAddress, second.ServerAddress);
    }

    [Fact]
    public void Get_StopsSharingButStillDecodes_WhenFull()
    {
        var strings = new SpanStrings(capacity: 1);
        var a = "checkout"u8.ToArray();
        var b = "payments"u8.ToArray();

        Assert.Same(strings.Get(a), strings.Get(a));
        Assert.Equal("payments", strings.Get(b));
        Assert.NotSame(strings.Get(b), strings.Get(b));
        Assert.Equal(new string('x', 300), strings.Get(System.Text.Encoding.UTF8.GetBytes(new string('x', 300))));
    }

    [Fact]
    public void Decode_KeepsAbsentFieldsAbsent_WhenSpanIsMinimal()
    {
        var span = new Span { TraceId = Trace, SpanId = 1, StartUnixNano = -5 };

        var data = SpanCodec.Encode(span);
        var decoded = SpanCodec.Decode(data, Trace);

        Assert.Equal(span with { Links = [] }, decoded with { Links = [] });
        Assert.Empty(decoded.Links);
        // version, flags, span id, start, duration, mask
        Assert.Equal(1 + 1 + 8 + 1 + 1 + 1, data.Length);
    }

    [Fact]
    public void Decode_ThrowsInvalidData_WhenRecordIsTruncated()
    {
        var data = SpanCodec.Encode(new Span { TraceId = Trace, SpanId = 1, Name = "a long enough name" });

        var error = Assert.Throws<InvalidDataException>(() => SpanCodec.Decode(data.AsSpan(0, data.Length - 3), Trace));

        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Decode_ThrowsInvalidData_WhenVersionIsUnknown()
    {
        var data = SpanCodec.Encode(new Span { TraceId = Trace, SpanId = 1 });
        data[0] = 99;

        Assert.Throws<InvalidDataException>(() => SpanCodec.Decode(data, Trace));
    }
}
