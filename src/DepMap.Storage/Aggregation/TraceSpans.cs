using System.Buffers;
using System.Buffers.Binary;
using DepMap.Core.Spans;
using DepMap.Storage.Spans;

namespace DepMap.Storage.Aggregation;

/// <summary>
/// The spans of a trace row: a sequence of (varint length, the span's trace id high bits as 8
/// bytes, its <see cref="SpanCodec"/> record). The high bits are kept per span because a trace
/// grouped by its low bits may mix 64- and 128-bit ids.
/// </summary>
public static class TraceSpans
{
    public static void Append(ArrayBufferWriter<byte> buffer, long traceIdHigh, ReadOnlySpan<byte> record)
    {
        var length = (ulong)(record.Length + 8);
        var head = buffer.GetSpan(10);
        var i = 0;
        while (length >= 0x80)
        {
            head[i++] = (byte)(length | 0x80);
            length >>= 7;
        }
        head[i++] = (byte)length;
        buffer.Advance(i);
        BinaryPrimitives.WriteInt64LittleEndian(buffer.GetSpan(8), traceIdHigh);
        buffer.Advance(8);
        record.CopyTo(buffer.GetSpan(record.Length));
        buffer.Advance(record.Length);
    }

    /// <summary>Decodes the first <paramref name="count"/> spans (all when null) into <paramref name="spans"/>.</summary>
    public static void Decode(ReadOnlySpan<byte> data, long traceIdLow, List<Span> spans, int? count = null)
    {
        var low = unchecked((ulong)traceIdLow);
        var offset = 0;
        var read = 0;
        while (offset < data.Length && (count is null || read < count))
        {
            ulong length = 0;
            for (var shift = 0; ; shift += 7)
            {
                if (offset >= data.Length || shift > 28)
                {
                    throw new InvalidDataException($"Trace {low:x16} has a bad span length at offset {offset}.");
                }
                var b = data[offset++];
                length |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    break;
                }
            }
            if (length < 8 || (ulong)(data.Length - offset) < length)
            {
                throw new InvalidDataException($"Trace {low:x16} has a truncated span at offset {offset}.");
            }
            var entry = data.Slice(offset, (int)length);
            var high = BinaryPrimitives.ReadUInt64LittleEndian(entry);
            spans.Add(SpanCodec.Decode(entry[8..], new TraceId(high, low)));
            offset += (int)length;
            read++;
        }
    }
}
