using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using DepMap.Core.Spans;

namespace DepMap.Storage.Spans;

/// <summary>
/// The stored form of a <see cref="Span"/>: a compact binary record without the trace id (the row
/// holds it). Ids are fixed 8 bytes because they are random and would not shrink as varints;
/// times and strings are varint-prefixed; absent optional fields cost one bit of a presence mask.
/// Version 1 layout: version, flags, span id, [parent id], start, duration, presence mask,
/// present fields in mask order, [link count, links].
/// </summary>
public static class SpanCodec
{
    private const byte Version = 1;

    private const byte HasParent = 1 << 3;
    private const byte IsShared = 1 << 4;
    private const byte IsError = 1 << 5;
    private const byte HasLinks = 1 << 6;
    private const byte KindMask = 0b111;

    /// <summary>Encodes everything but the trace id.</summary>
    public static byte[] Encode(Span span)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        Encode(span, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static void Encode(Span span, ArrayBufferWriter<byte> buffer)
    {
        var writer = new Writer(buffer);
        var flags = (byte)((byte)span.Kind & KindMask);
        if (span.ParentId != 0)
        {
            flags |= HasParent;
        }
        if (span.Shared)
        {
            flags |= IsShared;
        }
        if (span.Error)
        {
            flags |= IsError;
        }
        if (span.Links.Count > 0)
        {
            flags |= HasLinks;
        }
        writer.Byte(Version);
        writer.Byte(flags);
        writer.Fixed64(span.SpanId);
        if (span.ParentId != 0)
        {
            writer.Fixed64(span.ParentId);
        }
        writer.Varint(ZigZag(span.StartUnixNano));
        writer.Varint(ZigZag(span.DurationNano));

        // The mask bits and the write order below are the read order in Decode.
        var mask = Bit(0, span.LocalService) | Bit(1, span.RemoteService) | Bit(2, span.Name)
            | Bit(3, span.PeerService) | Bit(4, span.ServerAddress) | Bit(5, span.ServerPort)
            | Bit(6, span.NetworkPeerAddress) | Bit(7, span.NetworkPeerPort) | Bit(8, span.DbNamespace)
            | Bit(9, span.DbName) | Bit(10, span.DbSystem) | Bit(11, span.DbSystemName)
            | Bit(12, span.MessagingSystem) | Bit(13, span.MessagingDestinationName)
            | Bit(14, span.HttpResponseStatusCode) | Bit(15, span.ServiceNamespace)
            | Bit(16, span.NetPeerName) | Bit(17, span.NetSockPeerAddress) | Bit(18, span.NetSockPeerPort);
        writer.Varint(mask);
        writer.Optional(span.LocalService);
        writer.Optional(span.RemoteService);
        writer.Optional(span.Name);
        writer.Optional(span.PeerService);
        writer.Optional(span.ServerAddress);
        writer.Optional(span.ServerPort);
        writer.Optional(span.NetworkPeerAddress);
        writer.Optional(span.NetworkPeerPort);
        writer.Optional(span.DbNamespace);
        writer.Optional(span.DbName);
        writer.Optional(span.DbSystem);
        writer.Optional(span.DbSystemName);
        writer.Optional(span.MessagingSystem);
        writer.Optional(span.MessagingDestinationName);
        writer.Optional(span.HttpResponseStatusCode);
        writer.Optional(span.ServiceNamespace);
        writer.Optional(span.NetPeerName);
        writer.Optional(span.NetSockPeerAddress);
        writer.Optional(span.NetSockPeerPort);

        if (span.Links.Count > 0)
        {
            writer.Varint((ulong)span.Links.Count);
            foreach (var link in span.Links)
            {
                writer.Fixed64(link.TraceId.High);
                writer.Fixed64(link.TraceId.Low);
                writer.Fixed64(link.SpanId);
            }
        }
    }

    /// <summary>Decodes a record written by <see cref="Encode(Span)"/>; throws <see cref="InvalidDataException"/> on anything else.</summary>
    /// <remarks>Names are taken from <paramref name="strings"/> when given, so spans decoded together share them.</remarks>
    public static Span Decode(ReadOnlySpan<byte> data, TraceId traceId, SpanStrings? strings = null)
    {
        var reader = new Reader(data, strings);
        var version = reader.Byte();
        if (version != Version)
        {
            throw new InvalidDataException($"Stored span has version {version}, expected {Version}.");
        }
        var flags = reader.Byte();
        var spanId = reader.Fixed64();
        var parentId = (flags & HasParent) != 0 ? reader.Fixed64() : 0;
        var start = UnZigZag(reader.Varint());
        var duration = UnZigZag(reader.Varint());
        var mask = reader.Varint();

        // The order of these reads is the write order of Encode.
        var localService = reader.OptionalName(mask, 0);
        var remoteService = reader.OptionalName(mask, 1);
        var name = reader.OptionalName(mask, 2);
        var peerService = reader.OptionalName(mask, 3);
        var serverAddress = reader.OptionalString(mask, 4);
        var serverPort = reader.OptionalInt(mask, 5);
        var networkPeerAddress = reader.OptionalString(mask, 6);
        var networkPeerPort = reader.OptionalInt(mask, 7);
        var dbNamespace = reader.OptionalName(mask, 8);
        var dbName = reader.OptionalName(mask, 9);
        var dbSystem = reader.OptionalName(mask, 10);
        var dbSystemName = reader.OptionalName(mask, 11);
        var messagingSystem = reader.OptionalName(mask, 12);
        var messagingDestinationName = reader.OptionalName(mask, 13);
        var httpResponseStatusCode = reader.OptionalInt(mask, 14);
        var serviceNamespace = reader.OptionalName(mask, 15);
        var netPeerName = reader.OptionalString(mask, 16);
        var netSockPeerAddress = reader.OptionalString(mask, 17);
        var netSockPeerPort = reader.OptionalInt(mask, 18);

        IReadOnlyList<SpanLink> links = [];
        if ((flags & HasLinks) != 0)
        {
            var count = checked((int)reader.Varint());
            var list = new SpanLink[count];
            for (var i = 0; i < count; i++)
            {
                var high = reader.Fixed64();
                var low = reader.Fixed64();
                list[i] = new SpanLink(new TraceId(high, low), reader.Fixed64());
            }
            links = list;
        }

        return new Span
        {
            TraceId = traceId,
            SpanId = spanId,
            ParentId = parentId,
            Kind = (SpanKind)(flags & KindMask),
            Shared = (flags & IsShared) != 0,
            Error = (flags & IsError) != 0,
            StartUnixNano = start,
            DurationNano = duration,
            LocalService = localService,
            RemoteService = remoteService,
            Name = name,
            PeerService = peerService,
            ServerAddress = serverAddress,
            ServerPort = serverPort,
            NetworkPeerAddress = networkPeerAddress,
            NetworkPeerPort = networkPeerPort,
            DbNamespace = dbNamespace,
            DbName = dbName,
            DbSystem = dbSystem,
            DbSystemName = dbSystemName,
            MessagingSystem = messagingSystem,
            MessagingDestinationName = messagingDestinationName,
            HttpResponseStatusCode = httpResponseStatusCode,
            ServiceNamespace = serviceNamespace,
            NetPeerName = netPeerName,
            NetSockPeerAddress = netSockPeerAddress,
            NetSockPeerPort = netSockPeerPort,
            Links = links,
        };
    }

    // The mask is a varint: new fields take the next bit and go at the end, so stored records keep decoding.
    private static ulong Bit(int bit, string? value) => value is null ? 0 : 1UL << bit;

    private static ulong Bit(int bit, int? value) => value is null ? 0 : 1UL << bit;

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    private static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    private readonly ref struct Writer(ArrayBufferWriter<byte> buffer)
    {
        private readonly ArrayBufferWriter<byte> _buffer = buffer;

        public void Byte(byte value)
        {
            _buffer.GetSpan(1)[0] = value;
            _buffer.Advance(1);
        }

        public void Fixed64(ulong value)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(_buffer.GetSpan(8), value);
            _buffer.Advance(8);
        }

        public void Varint(ulong value)
        {
            var span = _buffer.GetSpan(10);
            var i = 0;
            while (value >= 0x80)
            {
                span[i++] = (byte)(value | 0x80);
                value >>= 7;
            }
            span[i++] = (byte)value;
            _buffer.Advance(i);
        }

        public void Optional(string? value)
        {
            if (value is not null)
            {
                String(value);
            }
        }

        public void Optional(int? value)
        {
            if (value is { } number)
            {
                Varint(ZigZag(number));
            }
        }

        public void String(string value)
        {
            var length = Encoding.UTF8.GetByteCount(value);
            Varint((ulong)length);
            var written = Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
            _buffer.Advance(written);
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> data, SpanStrings? strings)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private readonly SpanStrings? _strings = strings;
        private int _offset;

        public byte Byte()
        {
            Need(1);
            return _data[_offset++];
        }

        public ulong Fixed64()
        {
            Need(8);
            var value = BinaryPrimitives.ReadUInt64LittleEndian(_data[_offset..]);
            _offset += 8;
            return value;
        }

        public ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = Byte();
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }
            throw new InvalidDataException($"Stored span has a varint longer than 10 bytes at offset {_offset}.");
        }

        public string? OptionalString(ulong mask, int bit) => (mask & (1UL << bit)) != 0 ? String() : null;

        /// <summary>A field of few distinct values (names, systems), shared through the pool when there is one.</summary>
        public string? OptionalName(ulong mask, int bit)
        {
            if ((mask & (1UL << bit)) == 0)
            {
                return null;
            }
            if (_strings is null)
            {
                return String();
            }
            var length = checked((int)Varint());
            Need(length);
            var value = _strings.Get(_data.Slice(_offset, length));
            _offset += length;
            return value;
        }

        public int? OptionalInt(ulong mask, int bit) =>
            (mask & (1UL << bit)) != 0 ? checked((int)UnZigZag(Varint())) : null;

        public string String()
        {
            var length = checked((int)Varint());
            Need(length);
            var value = Encoding.UTF8.GetString(_data.Slice(_offset, length));
            _offset += length;
            return value;
        }

        private readonly void Need(int count)
        {
            if (count < 0 || _data.Length - _offset < count)
            {
                throw new InvalidDataException($"Stored span is truncated at offset {_offset}.");
            }
        }
    }
}
