using System.Buffers.Binary;
using Google.Protobuf;

namespace DepMap.LoadTest;

/// <summary>
/// Spans as an OTLP <c>ExportTraceServiceRequest</c>, one ResourceSpans per service. Field numbers
/// from opentelemetry/proto/{collector/trace,trace,common,resource}/v1.
/// </summary>
internal static class OtlpProtobufPayload
{
    public static byte[] Write(IEnumerable<LoadSpan> spans)
    {
        var request = new MemoryStream();
        var output = new CodedOutputStream(request);
        foreach (var service in spans.GroupBy(s => s.Service))
        {
            var resource = Message(1, Message(1, Text(1, "service.name"), Message(2, Text(1, $"svc-{service.Key}"))));
            var scope = Message(2, [.. service.Select(s => Message(2, Span(s)))]);
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom([.. resource, .. scope]));
        }
        output.Flush();
        return request.ToArray();
    }

    private static byte[] Span(LoadSpan span)
    {
        var parts = new List<byte[]>
        {
            Bytes(1, span.TraceId),
            Bytes(2, BigEndian(span.SpanId)),
            Text(5, span.Name),
            Varint(6, span.Client ? 3UL : 2UL),
            Fixed64(7, (ulong)span.StartUnixNano),
            Fixed64(8, (ulong)span.EndUnixNano),
        };
        if (span.ParentId != 0)
        {
            parts.Add(Bytes(4, BigEndian(span.ParentId)));
        }
        parts.AddRange(span.Attributes.Select(a => Bytes(9, Attribute(a.Key, a.Value))));
        if (span.Failed)
        {
            parts.Add(Message(15, Varint(3, 2))); // status { code: STATUS_CODE_ERROR }
        }
        return [.. parts.SelectMany(p => p)];
    }

    // AnyValue: string_value = 1, int_value = 3.
    private static byte[] Attribute(string key, object value) =>
        [.. Text(1, key), .. Message(2, value is long number ? Varint(3, (ulong)number) : Text(1, (string)value))];

    private static byte[] Message(int field, params byte[][] parts) => Bytes(field, [.. parts.SelectMany(p => p)]);

    private static byte[] Text(int field, string value) => Bytes(field, System.Text.Encoding.UTF8.GetBytes(value));

    private static byte[] Bytes(int field, byte[] value) => Encode(o =>
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(value));
    });

    private static byte[] Varint(int field, ulong value) => Encode(o =>
    {
        o.WriteTag(field, WireFormat.WireType.Varint);
        o.WriteUInt64(value);
    });

    private static byte[] Fixed64(int field, ulong value) => Encode(o =>
    {
        o.WriteTag(field, WireFormat.WireType.Fixed64);
        o.WriteFixed64(value);
    });

    private static byte[] Encode(Action<CodedOutputStream> write)
    {
        var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        write(output);
        output.Flush();
        return stream.ToArray();
    }

    private static byte[] BigEndian(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return bytes;
    }
}
