using System.Buffers;
using System.Buffers.Binary;
using DepMap.Core.Spans;
using DepMap.Storage.Spans;

namespace DepMap.Storage.Aggregation;

/// <summary>
/// The spans of a trace row, in the order they were taken in, each entry one of:
/// <list type="bullet">
/// <item>a copy: varint length (8 or more), the span's trace id high bits as 8 bytes, its
/// <see cref="SpanCodec"/> record. Spans of a trace still waiting for more are copied, so retention
/// of the raw span table can never take them.</item>
/// <item>a reference: a zero byte, then the span's row id in the span table as a zig-zag varint
/// delta from the previous reference of the row. A linked trace keeps only references (two or three
/// bytes a span instead of about eighty): they are read back only when a late span re-links it.</item>
/// </list>
/// The high bits are kept per copy because a trace grouped by its low bits may mix 64- and 128-bit ids.
/// </summary>
public static class TraceSpans
{
    public static void AppendCopy(ArrayBufferWriter<byte> buffer, long traceIdHigh, ReadOnlySpan<byte> record)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        WriteVarint(buffer, (ulong)(record.Length + 8));
        BinaryPrimitives.WriteInt64LittleEndian(buffer.GetSpan(8), traceIdHigh);
        buffer.Advance(8);
        record.CopyTo(buffer.GetSpan(record.Length));
        buffer.Advance(record.Length);
    }

    /// <summary>Appends a reference to span row <paramref name="spanRowId"/>; <paramref name="previousRowId"/> is the row's last reference (0 for none) and moves on.</summary>
    public static void AppendReference(ArrayBufferWriter<byte> buffer, long spanRowId, ref long previousRowId)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        buffer.GetSpan(1)[0] = 0;
        buffer.Advance(1);
        var delta = spanRowId - previousRowId;
        WriteVarint(buffer, ZigZag(delta));
        previousRowId = spanRowId;
    }

    /// <summary>
    /// Reads the first <paramref name="count"/> entries (all when null): copies decoded into spans,
    /// references as row ids to fetch. Returns the last reference's row id (0 for none), which the
    /// next <see cref="AppendReference"/> to the same row continues from.
    /// </summary>
    public static long Read(ReadOnlySpan<byte> data, long traceIdLow, List<TraceSpanEntry> entries, int? count = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var low = unchecked((ulong)traceIdLow);
        var offset = 0;
        var read = 0;
        long previous = 0;
        while (offset < data.Length && (count is null || read < count))
        {
            var length = ReadVarint(data, ref offset, low);
            if (length == 0)
            {
                var zigZag = ReadVarint(data, ref offset, low);
                previous += ZigZag(zigZag);
                entries.Add(new TraceSpanEntry(null, previous));
            }
            else
            {
                if (length < 8 || (ulong)(data.Length - offset) < length)
                {
                    throw new InvalidDataException($"Trace {low:x16} has a truncated span at offset {offset}.");
                }
                var entry = data.Slice(offset, (int)length);
                var high = BinaryPrimitives.ReadUInt64LittleEndian(entry);
                entries.Add(new TraceSpanEntry(SpanCodec.Decode(entry[8..], new TraceId(high, low)), 0));
                offset += (int)length;
            }
            read++;
        }
        return previous;
    }

    /// <summary>A varint at <paramref name="offset"/>, which moves past it; a bad one is named by its trace.</summary>
    internal static ulong ReadVarint(ReadOnlySpan<byte> data, ref int offset, ulong traceIdLow)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (offset >= data.Length || shift > 63)
            {
                throw new InvalidDataException($"Trace {traceIdLow:x16} has a bad span entry at offset {offset}.");
            }
            var b = data[offset++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    /// <summary>A signed difference as an unsigned varint value, small either side of zero.</summary>
    internal static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    internal static long ZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    internal static void WriteVarint(ArrayBufferWriter<byte> buffer, ulong value)
    {
        var head = buffer.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            head[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        head[i++] = (byte)value;
        buffer.Advance(i);
    }
}

/// <summary>One entry of a trace row: the span itself when copied, else the span table row to read it from.</summary>
public readonly record struct TraceSpanEntry(Span? Span, long SpanRowId);
