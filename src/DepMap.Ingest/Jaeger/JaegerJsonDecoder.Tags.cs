using System.Text.Json;
using DepMap.Core.Spans;
using DepMap.Ingest.Common;

namespace DepMap.Ingest.Jaeger;

/// <summary>Jaeger's span references and typed tags.</summary>
internal static partial class JaegerJsonDecoder
{
    /// <summary>The first CHILD_OF names the parent; FOLLOWS_FROM (and any further CHILD_OF) become links.</summary>
    private static void ReadReferences(ref Utf8JsonReader reader, State state)
    {
        var path = state.Path;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }
        JsonInput.Expect(ref reader, JsonTokenType.StartArray, path);
        var span = state.Fields;
        path.PushIndex(0);
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            path.SetIndex(index++);
            JsonInput.Expect(ref reader, JsonTokenType.StartObject, path);
            var childOf = false;
            TraceId traceId = default;
            ulong spanId = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("refType"u8))
                {
                    reader.Read();
                    path.Push("refType");
                    var type = JsonInput.StringBytes(ref reader, path);
                    childOf = type.SequenceEqual("CHILD_OF"u8) ? true
                        : type.SequenceEqual("FOLLOWS_FROM"u8) ? false
                        : throw path.Error($"expected CHILD_OF or FOLLOWS_FROM, got {JsonInput.Raw(ref reader)}");
                    path.Pop();
                }
                else if (reader.ValueTextEquals("traceID"u8))
                {
                    reader.Read();
                    path.Push("traceID");
                    traceId = JsonIds.ReadTraceId(ref reader, path);
                    path.Pop();
                }
                else if (reader.ValueTextEquals("spanID"u8))
                {
                    reader.Read();
                    path.Push("spanID");
                    spanId = JsonIds.ReadSpanId(ref reader, path);
                    path.Pop();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            if (spanId == 0)
            {
                continue;
            }
            if (childOf && span.ParentId == 0)
            {
                span.ParentId = spanId;
            }
            else
            {
                span.AddLink(new SpanLink(traceId, spanId));
            }
        }
        path.Pop();
    }

    private static void ReadTags(ref Utf8JsonReader reader, State state, SpanFields span)
    {
        var path = state.Path;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }
        JsonInput.Expect(ref reader, JsonTokenType.StartArray, path);
        path.PushIndex(0);
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            path.SetIndex(index++);
            JsonInput.Expect(ref reader, JsonTokenType.StartObject, path);
            var key = AttributeKey.None;
            var value = default(Utf8JsonReader);
            var hasValue = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("key"u8))
                {
                    reader.Read();
                    path.Push("key");
                    key = AttributeKeys.Lookup(JsonInput.StringBytes(ref reader, path));
                    path.Pop();
                }
                else if (reader.ValueTextEquals("value"u8))
                {
                    reader.Read();
                    // The key may come after the value: keep the reader where the value starts.
                    value = reader;
                    hasValue = true;
                    reader.Skip();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            if (key != AttributeKey.None && hasValue)
            {
                path.Push("value");
                ApplyTag(ref value, state, span, key);
                path.Pop();
            }
        }
        path.Pop();
    }

    private static void ApplyTag(ref Utf8JsonReader value, State state, SpanFields span, AttributeKey key)
    {
        switch (key)
        {
            case AttributeKey.SpanKind:
                span.Kind = value.TokenType == JsonTokenType.String ? Kind(value.ValueSpan) : span.Kind;
                break;
            case AttributeKey.Error:
                // Jaeger marks failure with error=true, as a bool or, from some clients, the string "true".
                span.Error |= value.TokenType == JsonTokenType.True
                    || (value.TokenType == JsonTokenType.String && value.ValueTextEquals("true"u8));
                break;
            case AttributeKey.ServiceName:
                break;
            case var integer when SpanFields.IsInteger(integer):
                if (value.TokenType is JsonTokenType.Number or JsonTokenType.String)
                {
                    span.SetInteger(integer, value.ValueSpan);
                }
                break;
            default:
                if (value.TokenType == JsonTokenType.String)
                {
                    span.SetString(key, JsonInput.ReadString(ref value, state.Pool, state.Path));
                }
                break;
        }
    }

    private static SpanKind Kind(ReadOnlySpan<byte> kind) => kind switch
    {
        _ when kind.SequenceEqual("client"u8) => SpanKind.Client,
        _ when kind.SequenceEqual("server"u8) => SpanKind.Server,
        _ when kind.SequenceEqual("producer"u8) => SpanKind.Producer,
        _ when kind.SequenceEqual("consumer"u8) => SpanKind.Consumer,
        _ when kind.SequenceEqual("internal"u8) => SpanKind.Internal,
        _ => SpanKind.Unspecified,
    };
}
