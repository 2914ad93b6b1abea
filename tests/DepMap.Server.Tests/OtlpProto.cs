using System.Buffers.Binary;
using System.Text;

namespace DepMap.Server.Tests;

/// <summary>
/// Builds OTLP ExportTraceServiceRequest bytes field by field (the generated types are internal
/// to the Ingest project), with the field numbers of opentelemetry/proto/trace/v1/trace.proto.
/// </summary>
internal static class OtlpProto
{
    public static byte[] Request(string service, params byte[][] spans) =>
        Message(1, // resource_spans
            Message(1, Message(1, Text(1, "service.name"), Message(2, Text(1, service)))), // resource.attributes
            Message(2, spans.Select(s => Message(2, s)).ToArray())); // scope_spans.spans

    public static byte[] Span(byte[] traceId, ulong spanId, string name, int kind) => Concat(
        Bytes(1, traceId),
        Bytes(2, BigEndian(spanId)),
        Text(5, name),
        Varint(6, (ulong)kind),
        Fixed64(7, 1_700_000_000_000_000_000),
        Fixed64(8, 1_700_000_000_001_000_000));

    public static byte[] TraceId(ulong high, ulong low) => [.. BigEndian(high), .. BigEndian(low)];

    private static byte[] Message(int field, params byte[][] parts) => Bytes(field, Concat(parts));

    private static byte[] Text(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    private static byte[] Bytes(int field, byte[] value) => [.. Key(field, 2), .. VarintBytes((ulong)value.Length), .. value];

    private static byte[] Varint(int field, ulong value) => [.. Key(field, 0), .. VarintBytes(value)];

    private static byte[] Fixed64(int field, ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return [.. Key(field, 1), .. bytes];
    }

    private static byte[] Key(int field, int wireType) => VarintBytes((ulong)((field << 3) | wireType));

    private static byte[] VarintBytes(ulong value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }
        bytes.Add((byte)value);
        return [.. bytes];
    }

    private static byte[] BigEndian(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
