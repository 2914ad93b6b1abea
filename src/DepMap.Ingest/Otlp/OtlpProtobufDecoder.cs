using System.Buffers.Binary;
using DepMap.Core.Spans;
using DepMap.Ingest.Common;

namespace DepMap.Ingest.Otlp;

/// <summary>
/// OTLP <c>ExportTraceServiceRequest</c> protobuf, read straight from the wire into Core spans.
/// Materialising Google.Protobuf objects would cost about 2.6 KB per span and most of the time;
/// this reader touches only the fields linking needs and skips the rest by length.
/// </summary>
internal static partial class OtlpProtobufDecoder
{
    public static DecodedBatch Decode(ReadOnlySpan<byte> payload)
    {
        var reader = new WireReader(payload);
        var state = new State();
        var end = payload.Length;
        var resourceIndex = 0;
        while (reader.NextTag(end, Message.ExportTraceServiceRequest, out var field, out var wireType))
        {
            if (field == 1)
            {
                reader.Expect(wireType, WireReader.LengthDelimited, Message.ExportTraceServiceRequest, field);
                var resourceEnd = reader.ReadLength(end, Message.ExportTraceServiceRequest, field);
                ReadResourceSpans(ref reader, resourceEnd, state, resourceIndex++);
            }
            else
            {
                reader.Skip(wireType, end, Message.ExportTraceServiceRequest, field);
            }
        }
        return state.Rejections.ToBatch(state.Spans, state.Fields.TruncatedNames);
    }

    private static void ReadResourceSpans(scoped ref WireReader reader, int end, State state, int resourceIndex)
    {
        // The resource names the service of every span below it; protobuf allows it after the
        // spans, so find it first and walk the spans in a second pass.
        var start = reader.Position;
        state.Service = null;
        state.Namespace = null;
        while (reader.NextTag(end, Message.ResourceSpans, out var field, out var wireType))
        {
            if (field == 1)
            {
                reader.Expect(wireType, WireReader.LengthDelimited, Message.ResourceSpans, field);
                var resourceEnd = reader.ReadLength(end, Message.ResourceSpans, field);
                ReadResource(ref reader, resourceEnd, state);
            }
            else
            {
                reader.Skip(wireType, end, Message.ResourceSpans, field);
            }
        }
        reader.Position = start;
        var scopeIndex = 0;
        while (reader.NextTag(end, Message.ResourceSpans, out var field, out var wireType))
        {
            if (field == 2)
            {
                reader.Expect(wireType, WireReader.LengthDelimited, Message.ResourceSpans, field);
                var scopeEnd = reader.ReadLength(end, Message.ResourceSpans, field);
                ReadScopeSpans(ref reader, scopeEnd, state, resourceIndex, scopeIndex++);
            }
            else
            {
                reader.Skip(wireType, end, Message.ResourceSpans, field);
            }
        }
    }

    private static void ReadResource(scoped ref WireReader reader, int end, State state)
    {
        while (reader.NextTag(end, Message.Resource, out var field, out var wireType))
        {
            if (field != 1)
            {
                reader.Skip(wireType, end, Message.Resource, field);
                continue;
            }
            reader.Expect(wireType, WireReader.LengthDelimited, Message.Resource, field);
            var attributeEnd = reader.ReadLength(end, Message.Resource, field);
            var key = ReadKeyValue(ref reader, attributeEnd, out var value);
            if (key is AttributeKey.ServiceName or AttributeKey.ServiceNamespace && value.Type == 1 && !value.Bytes.IsEmpty)
            {
                var text = state.Pool.Get(value.Bytes);
                if (key == AttributeKey.ServiceName)
                {
                    state.Service = text;
                }
                else
                {
                    state.Namespace = text;
                }
            }
        }
    }

    private static void ReadScopeSpans(scoped ref WireReader reader, int end, State state, int resourceIndex, int scopeIndex)
    {
        var spanIndex = 0;
        while (reader.NextTag(end, Message.ScopeSpans, out var field, out var wireType))
        {
            if (field == 2)
            {
                reader.Expect(wireType, WireReader.LengthDelimited, Message.ScopeSpans, field);
                var spanEnd = reader.ReadLength(end, Message.ScopeSpans, field);
                ReadSpan(ref reader, spanEnd, state, resourceIndex, scopeIndex, spanIndex++);
            }
            else
            {
                reader.Skip(wireType, end, Message.ScopeSpans, field);
            }
        }
    }

    private static void ReadSpan(scoped ref WireReader reader, int end, State state, int resourceIndex, int scopeIndex, int spanIndex)
    {
        var span = state.Fields;
        span.Reset();
        span.LocalService = state.Service;
        span.ServiceNamespace = state.Namespace;
        ReadOnlySpan<byte> traceId = default, spanId = default, parentId = default;
        ulong startTime = 0, endTime = 0;
        while (reader.NextTag(end, Message.Span, out var field, out var wireType))
        {
            switch (field)
            {
                case 1:
                    traceId = ReadBytes(ref reader, end, Message.Span, field, wireType);
                    break;
                case 2:
                    spanId = ReadBytes(ref reader, end, Message.Span, field, wireType);
                    break;
                case 4:
                    parentId = ReadBytes(ref reader, end, Message.Span, field, wireType);
                    break;
                case 5:
                    var name = ReadBytes(ref reader, end, Message.Span, field, wireType);
                    span.Name = name.IsEmpty ? null : state.Pool.Get(name);
                    break;
                case 6:
                    reader.Expect(wireType, WireReader.Varint, Message.Span, field);
                    var kind = reader.ReadVarint(end, Message.Span);
                    span.Kind = kind <= (ulong)SpanKind.Consumer ? (SpanKind)kind : SpanKind.Unspecified;
                    break;
                case 7:
                    reader.Expect(wireType, WireReader.Fixed64, Message.Span, field);
                    startTime = reader.ReadFixed64(end, Message.Span, field);
                    break;
                case 8:
                    reader.Expect(wireType, WireReader.Fixed64, Message.Span, field);
                    endTime = reader.ReadFixed64(end, Message.Span, field);
                    break;
                case 9:
                    reader.Expect(wireType, WireReader.LengthDelimited, Message.Span, field);
                    var attributeEnd = reader.ReadLength(end, Message.Span, field);
                    var key = ReadKeyValue(ref reader, attributeEnd, out var value);
                    Apply(span, key, value, state.Pool);
                    break;
                case 13:
                    reader.Expect(wireType, WireReader.LengthDelimited, Message.Span, field);
                    var linkEnd = reader.ReadLength(end, Message.Span, field);
                    ReadLink(ref reader, linkEnd, span);
                    break;
                case 15:
                    reader.Expect(wireType, WireReader.LengthDelimited, Message.Span, field);
                    var statusEnd = reader.ReadLength(end, Message.Span, field);
                    ReadStatus(ref reader, statusEnd, span);
                    break;
                default:
                    reader.Skip(wireType, end, Message.Span, field);
                    break;
            }
        }
        if (Invalid(traceId, spanId, parentId) is { } reason)
        {
            state.Rejections.Add($"resource_spans[{resourceIndex}].scope_spans[{scopeIndex}].spans[{spanIndex}]", reason);
            return;
        }
        span.TraceId = new TraceId(BinaryPrimitives.ReadUInt64BigEndian(traceId), BinaryPrimitives.ReadUInt64BigEndian(traceId[8..]));
        span.SpanId = BinaryPrimitives.ReadUInt64BigEndian(spanId);
        span.ParentId = parentId.IsEmpty ? 0 : BinaryPrimitives.ReadUInt64BigEndian(parentId);
        span.StartUnixNano = (long)Math.Min(startTime, long.MaxValue);
        // An end before the start is clock trouble, not a negative duration.
        span.DurationNano = endTime > startTime ? (long)Math.Min(endTime - startTime, long.MaxValue) : 0;
        state.Spans.Add(span.Build());
    }

    /// <summary>The OTLP rule: a trace id is 16 bytes, a span id 8, neither all zero; a parent id is 8 bytes or absent.</summary>
    private static string? Invalid(ReadOnlySpan<byte> traceId, ReadOnlySpan<byte> spanId, ReadOnlySpan<byte> parentId)
    {
        if (traceId.Length != 16)
        {
            return $"trace_id is {traceId.Length} bytes, expected 16";
        }
        if (!traceId.ContainsAnyExcept((byte)0))
        {
            return "trace_id is all zero";
        }
        if (spanId.Length != 8)
        {
            return $"span_id is {spanId.Length} bytes, expected 8";
        }
        if (!spanId.ContainsAnyExcept((byte)0))
        {
            return "span_id is all zero";
        }
        return parentId.Length is 0 or 8 ? null : $"parent_span_id is {parentId.Length} bytes, expected 8 or none";
    }

    private static ReadOnlySpan<byte> ReadBytes(scoped ref WireReader reader, int end, Message message, int field, int wireType)
    {
        reader.Expect(wireType, WireReader.LengthDelimited, message, field);
        var start = reader.Position;
        var valueEnd = reader.ReadLength(end, message, field);
        start = reader.Position;
        reader.Position = valueEnd;
        return reader.Slice(start, valueEnd);
    }

    private static void ReadLink(scoped ref WireReader reader, int end, SpanFields span)
    {
        ReadOnlySpan<byte> traceId = default, spanId = default;
        while (reader.NextTag(end, Message.Link, out var field, out var wireType))
        {
            switch (field)
            {
                case 1:
                    traceId = ReadBytes(ref reader, end, Message.Link, field, wireType);
                    break;
                case 2:
                    spanId = ReadBytes(ref reader, end, Message.Link, field, wireType);
                    break;
                default:
                    reader.Skip(wireType, end, Message.Link, field);
                    break;
            }
        }
        // A link to an unusable id points nowhere; the span itself is still good.
        if (traceId.Length == 16 && spanId.Length == 8)
        {
            span.AddLink(new SpanLink(
                new TraceId(BinaryPrimitives.ReadUInt64BigEndian(traceId), BinaryPrimitives.ReadUInt64BigEndian(traceId[8..])),
                BinaryPrimitives.ReadUInt64BigEndian(spanId)));
        }
    }

    private static void ReadStatus(scoped ref WireReader reader, int end, SpanFields span)
    {
        while (reader.NextTag(end, Message.Status, out var field, out var wireType))
        {
            if (field == 3)
            {
                reader.Expect(wireType, WireReader.Varint, Message.Status, field);
                span.Error = reader.ReadVarint(end, Message.Status) == 2;
            }
            else
            {
                reader.Skip(wireType, end, Message.Status, field);
            }
        }
    }

    private sealed class State
    {
        public readonly Utf8StringPool Pool = new();
        public readonly SpanFields Fields = new();
        public readonly List<Span> Spans = [];
        public readonly Rejections Rejections = new();
        public string? Service;
        public string? Namespace;
    }
}
