using System.Text.Json;
using DepMap.Ingest.Common;

namespace DepMap.Ingest.Otlp;

/// <summary>OTLP JSON KeyValue and AnyValue objects: only the attributes DepMap links by are decoded.</summary>
internal static partial class OtlpJsonDecoder
{
    private static void ReadResourceAttribute(ref Utf8JsonReader reader, State state) => ReadKeyValue(ref reader, state, resource: true);

    private static void ReadSpanAttribute(ref Utf8JsonReader reader, State state) => ReadKeyValue(ref reader, state, resource: false);

    /// <summary>
    /// Reads a KeyValue object and applies its value when the key is one DepMap uses. The value is
    /// read in place when the key comes first (as exporters write it), else from a saved reader.
    /// </summary>
    private static void ReadKeyValue(ref Utf8JsonReader reader, State state, bool resource)
    {
        var key = AttributeKey.None;
        var seenKey = false;
        var pending = default(Utf8JsonReader);
        var hasPending = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("key"u8))
            {
                reader.Read();
                state.Path.Push("key");
                key = Relevant(AttributeKeys.Lookup(JsonInput.StringBytes(ref reader, state.Path)), resource);
                state.Path.Pop();
                seenKey = true;
                if (hasPending && key != AttributeKey.None)
                {
                    ApplyValue(ref pending, state, key);
                }
            }
            else if (reader.ValueTextEquals("value"u8))
            {
                reader.Read();
                if (seenKey && key != AttributeKey.None && reader.TokenType != JsonTokenType.Null)
                {
                    ApplyValue(ref reader, state, key);
                }
                else
                {
                    pending = reader;
                    hasPending = !seenKey && reader.TokenType != JsonTokenType.Null;
                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    /// <summary>A resource gives the service its name and namespace; a span gives the peer attributes.</summary>
    private static AttributeKey Relevant(AttributeKey key, bool resource) => resource
        ? key is AttributeKey.ServiceName or AttributeKey.ServiceNamespace ? key : AttributeKey.None
        : AttributeKeys.AppliesToOtlpSpan(key) ? key : AttributeKey.None;

    /// <summary>Applies an AnyValue object; only its string and int members can carry what DepMap reads.</summary>
    private static void ApplyValue(ref Utf8JsonReader value, State state, AttributeKey key)
    {
        var path = state.Path;
        path.Push("value");
        JsonInput.Expect(ref value, JsonTokenType.StartObject, path);
        while (value.Read() && value.TokenType == JsonTokenType.PropertyName)
        {
            var isString = Is(ref value, "stringValue"u8, "string_value"u8);
            var isInt = !isString && Is(ref value, "intValue"u8, "int_value"u8);
            value.Read();
            if (!(isString || isInt) || value.TokenType == JsonTokenType.Null)
            {
                value.Skip();
                continue;
            }
            path.Push(isString ? "stringValue" : "intValue");
            if (isString)
            {
                var text = JsonInput.ReadString(ref value, state.Pool, path);
                switch (key)
                {
                    case AttributeKey.ServiceName:
                        state.Service = text;
                        break;
                    case AttributeKey.ServiceNamespace:
                        state.Namespace = text;
                        break;
                    default:
                        state.Fields.SetString(key, text);
                        break;
                }
            }
            else
            {
                var number = JsonInput.ReadInt64(ref value, path);
                if (SpanFields.IsInteger(key))
                {
                    state.Fields.SetInteger(key, number);
                }
            }
            path.Pop();
        }
        path.Pop();
    }
}
