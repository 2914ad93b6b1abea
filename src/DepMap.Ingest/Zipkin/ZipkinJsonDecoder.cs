using System.Text.Json;
using DepMap.Core.Spans;
using DepMap.Ingest.Common;

namespace DepMap.Ingest.Zipkin;

/// <summary>
/// Zipkin v2 JSON (<c>POST /api/v2/spans</c>): an array of spans with microsecond times, hex ids,
/// <c>localEndpoint</c>/<c>remoteEndpoint</c> and string <c>tags</c>. Service names keep their case:
/// Zipkin's lower-casing belongs to the Zipkin view of the linker, not to the data.
/// </summary>
internal static class ZipkinJsonDecoder
{
    private const string Expected = "a JSON array of Zipkin v2 spans";

    public static DecodedBatch Decode(ReadOnlySpan<byte> payload)
    {
        var reader = new Utf8JsonReader(payload, JsonInput.ReaderOptions);
        var state = new State();
        try
        {
            JsonInput.ReadFirst(ref reader, payload, Expected);
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new SpanDecodeException($"expected {Expected}, got {JsonInput.Describe(reader.TokenType)}");
            }
            state.Path.PushIndex(0);
            var index = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                state.Path.SetIndex(index);
                ReadSpan(ref reader, state);
                index++;
            }
            JsonInput.ReadEnd(ref reader);
        }
        catch (JsonException exception)
        {
            throw JsonInput.Malformed(payload, exception);
        }
        catch (InvalidOperationException exception) when (JsonInput.IsReaderError(exception))
        {
            throw JsonInput.BadEscape(ref reader, state.Path);
        }
        return state.Rejections.ToBatch(state.Spans, state.Fields.TruncatedNames);
    }

    private static void ReadSpan(ref Utf8JsonReader reader, State state)
    {
        var path = state.Path;
        JsonInput.Expect(ref reader, JsonTokenType.StartObject, path);
        var span = state.Fields;
        span.Reset();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            var escaped = reader.ValueIsEscaped;
            reader.Read();
            if (escaped)
            {
                reader.Skip();
                continue;
            }
            switch (name.Length)
            {
                case 2 when name.SequenceEqual("id"u8):
                    path.Push("id");
                    span.SpanId = JsonIds.ReadSpanId(ref reader, path);
                    path.Pop();
                    break;
                case 7 when name.SequenceEqual("traceId"u8):
                    path.Push("traceId");
                    span.TraceId = JsonIds.ReadTraceId(ref reader, path);
                    path.Pop();
                    break;
                case 8 when name.SequenceEqual("parentId"u8):
                    path.Push("parentId");
                    span.ParentId = JsonIds.ReadSpanId(ref reader, path);
                    path.Pop();
                    break;
                case 4 when name.SequenceEqual("kind"u8):
                    path.Push("kind");
                    span.Kind = ReadKind(ref reader, path);
                    path.Pop();
                    break;
                case 4 when name.SequenceEqual("name"u8):
                    path.Push("name");
                    span.Name = JsonInput.ReadString(ref reader, state.Pool, path);
                    path.Pop();
                    break;
                case 9 when name.SequenceEqual("timestamp"u8):
                    path.Push("timestamp");
                    span.StartUnixNano = JsonIds.ReadMicros(ref reader, path);
                    path.Pop();
                    break;
                case 8 when name.SequenceEqual("duration"u8):
                    path.Push("duration");
                    span.DurationNano = JsonIds.ReadMicros(ref reader, path);
                    path.Pop();
                    break;
                case 6 when name.SequenceEqual("shared"u8):
                    path.Push("shared");
                    span.Shared = JsonInput.ReadBool(ref reader, path);
                    path.Pop();
                    break;
                case 13 when name.SequenceEqual("localEndpoint"u8):
                    path.Push("localEndpoint");
                    span.LocalService = ReadEndpoint(ref reader, state, out _, out _);
                    path.Pop();
                    break;
                case 14 when name.SequenceEqual("remoteEndpoint"u8):
                    path.Push("remoteEndpoint");
                    span.RemoteService = ReadEndpoint(ref reader, state, out var address, out var port);
                    span.SetRemoteEndpoint(address, port);
                    path.Pop();
                    break;
                case 4 when name.SequenceEqual("tags"u8):
                    path.Push("tags");
                    ReadTags(ref reader, state);
                    path.Pop();
                    break;
                case 11 when name.SequenceEqual("annotations"u8):
                    // Annotations carry no linking facts; an annotation named "error" is not a failure in Zipkin's linker.
                    if (reader.TokenType != JsonTokenType.Null)
                    {
                        path.Push("annotations");
                        JsonInput.Expect(ref reader, JsonTokenType.StartArray, path);
                        path.Pop();
                    }
                    reader.Skip();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        if (span.TraceId.IsEmpty)
        {
            state.Rejections.Add(path.ToString(), "no trace id");
        }
        else if (span.SpanId == 0)
        {
            state.Rejections.Add(path.ToString(), "no span id");
        }
        else
        {
            state.Spans.Add(span.Build());
        }
    }

    private static SpanKind ReadKind(ref Utf8JsonReader reader, JsonPath path)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return SpanKind.Unspecified;
        }
        var text = JsonInput.StringBytes(ref reader, path);
        return text switch
        {
            _ when text.SequenceEqual("CLIENT"u8) => SpanKind.Client,
            _ when text.SequenceEqual("SERVER"u8) => SpanKind.Server,
            _ when text.SequenceEqual("PRODUCER"u8) => SpanKind.Producer,
            _ when text.SequenceEqual("CONSUMER"u8) => SpanKind.Consumer,
            _ => throw path.Error($"expected CLIENT, SERVER, PRODUCER or CONSUMER, got {JsonInput.Raw(ref reader)}"),
        };
    }

    private static string? ReadEndpoint(ref Utf8JsonReader reader, State state, out string? address, out int? port)
    {
        address = null;
        port = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }
        var path = state.Path;
        JsonInput.Expect(ref reader, JsonTokenType.StartObject, path);
        string? serviceName = null, ipv4 = null, ipv6 = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("serviceName"u8))
            {
                reader.Read();
                path.Push("serviceName");
                serviceName = JsonInput.ReadString(ref reader, state.Pool, path);
                path.Pop();
            }
            else if (reader.ValueTextEquals("ipv4"u8))
            {
                reader.Read();
                path.Push("ipv4");
                ipv4 = JsonInput.ReadString(ref reader, state.Pool, path);
                path.Pop();
            }
            else if (reader.ValueTextEquals("ipv6"u8))
            {
                reader.Read();
                path.Push("ipv6");
                ipv6 = JsonInput.ReadString(ref reader, state.Pool, path);
                path.Pop();
            }
            else if (reader.ValueTextEquals("port"u8))
            {
                reader.Read();
                path.Push("port");
                var value = reader.TokenType == JsonTokenType.Null ? 0 : JsonInput.ReadInt64(ref reader, path);
                port = value is > 0 and <= 65535 ? (int)value : null;
                path.Pop();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        address = ipv4 ?? ipv6;
        return serviceName;
    }

    private static void ReadTags(ref Utf8JsonReader reader, State state)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }
        var path = state.Path;
        JsonInput.Expect(ref reader, JsonTokenType.StartObject, path);
        var span = state.Fields;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var keyBytes = reader.ValueSpan;
            var key = reader.ValueIsEscaped ? AttributeKey.None : AttributeKeys.Lookup(keyBytes);
            reader.Read();
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                path.Push(System.Text.Encoding.UTF8.GetString(keyBytes));
                throw JsonInput.TypeError(path, "a string", reader.TokenType);
            }
            switch (key)
            {
                case AttributeKey.None or AttributeKey.ServiceName:
                    break;
                case AttributeKey.Error:
                    // Zipkin's linker counts a span as failed when the "error" tag is present, whatever its value.
                    span.Error = true;
                    break;
                case var integer when SpanFields.IsInteger(integer):
                    if (reader.TokenType is JsonTokenType.String or JsonTokenType.Number)
                    {
                        span.SetInteger(integer, reader.ValueSpan);
                    }
                    break;
                default:
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        span.SetString(key, JsonInput.ReadString(ref reader, state.Pool, path));
                    }
                    break;
            }
        }
    }

    private sealed class State
    {
        public readonly JsonPath Path = new();
        public readonly Utf8StringPool Pool = new();
        public readonly SpanFields Fields = new();
        public readonly List<Span> Spans = [];
        public readonly Rejections Rejections = new();
    }
}
