using System.Text.Json;
using DepMap.Core.Spans;
using DepMap.Ingest.Common;

namespace DepMap.Ingest.Otlp;

/// <summary>
/// OTLP/HTTP JSON: the protobuf JSON mapping with OTLP's exceptions (ids as hex, enums as numbers,
/// 64-bit integers usually as strings). Names and numbers written the other way (enum names,
/// snake_case keys, integers as numbers) are accepted too, as the protobuf JSON mapping allows.
/// </summary>
internal static partial class OtlpJsonDecoder
{
    private const string Expected = "an OTLP JSON ExportTraceServiceRequest object";

    public static DecodedBatch Decode(ReadOnlySpan<byte> payload)
    {
        var reader = new Utf8JsonReader(payload, JsonInput.ReaderOptions);
        var state = new State();
        try
        {
            JsonInput.ReadFirst(ref reader, payload, Expected);
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new SpanDecodeException($"expected {Expected}, got {JsonInput.Describe(reader.TokenType)}");
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isResourceSpans = Is(ref reader, "resourceSpans"u8, "resource_spans"u8);
                reader.Read();
                if (!isResourceSpans || reader.TokenType == JsonTokenType.Null)
                {
                    reader.Skip();
                    continue;
                }
                state.Path.Push("resourceSpans");
                ForEach(ref reader, state, ReadResourceSpans);
                state.Path.Pop();
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

    private delegate void ElementReader(ref Utf8JsonReader reader, State state);

    /// <summary>Reads every element of the array the reader is on, with its index in the path.</summary>
    private static void ForEach(ref Utf8JsonReader reader, State state, ElementReader read)
    {
        JsonInput.Expect(ref reader, JsonTokenType.StartArray, state.Path);
        state.Path.PushIndex(0);
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            state.Path.SetIndex(index++);
            JsonInput.Expect(ref reader, JsonTokenType.StartObject, state.Path);
            read(ref reader, state);
        }
        state.Path.Pop();
    }

    private static void ReadResourceSpans(ref Utf8JsonReader reader, State state)
    {
        // The resource names the service of every span in it but may follow them: read it first
        // from a copy of the reader. Exporters write it first, so the copy rarely skips any span.
        state.Service = null;
        state.Namespace = null;
        var probe = reader;
        while (probe.Read() && probe.TokenType == JsonTokenType.PropertyName)
        {
            var isResource = probe.ValueTextEquals("resource"u8);
            probe.Read();
            if (isResource && probe.TokenType != JsonTokenType.Null)
            {
                state.Path.Push("resource");
                ReadResource(ref probe, state);
                state.Path.Pop();
                break;
            }
            probe.Skip();
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isScopeSpans = Is(ref reader, "scopeSpans"u8, "scope_spans"u8);
            reader.Read();
            if (!isScopeSpans || reader.TokenType == JsonTokenType.Null)
            {
                reader.Skip();
                continue;
            }
            state.Path.Push("scopeSpans");
            ForEach(ref reader, state, ReadScopeSpans);
            state.Path.Pop();
        }
    }

    private static void ReadResource(ref Utf8JsonReader reader, State state)
    {
        JsonInput.Expect(ref reader, JsonTokenType.StartObject, state.Path);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isAttributes = reader.ValueTextEquals("attributes"u8);
            reader.Read();
            if (!isAttributes || reader.TokenType == JsonTokenType.Null)
            {
                reader.Skip();
                continue;
            }
            state.Path.Push("attributes");
            ForEach(ref reader, state, ReadResourceAttribute);
            state.Path.Pop();
        }
    }

    private static void ReadScopeSpans(ref Utf8JsonReader reader, State state)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isSpans = reader.ValueTextEquals("spans"u8);
            reader.Read();
            if (!isSpans || reader.TokenType == JsonTokenType.Null)
            {
                reader.Skip();
                continue;
            }
            state.Path.Push("spans");
            ForEach(ref reader, state, ReadSpan);
            state.Path.Pop();
        }
    }

    private static void ReadSpan(ref Utf8JsonReader reader, State state)
    {
        var path = state.Path;
        var span = state.Fields;
        span.Reset();
        span.LocalService = state.Service;
        span.ServiceNamespace = state.Namespace;
        var traceId = new Id(0, 0, 0);
        var spanId = new Id(0, 0, 0);
        var parentId = new Id(0, 0, 0);
        ulong startTime = 0, endTime = 0;
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
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }
            if (Is(name, "traceId"u8, "trace_id"u8))
            {
                path.Push("traceId");
                traceId = ReadId(ref reader, path, 16);
                path.Pop();
            }
            else if (Is(name, "spanId"u8, "span_id"u8))
            {
                path.Push("spanId");
                spanId = ReadId(ref reader, path, 8);
                path.Pop();
            }
            else if (Is(name, "parentSpanId"u8, "parent_span_id"u8))
            {
                path.Push("parentSpanId");
                parentId = ReadId(ref reader, path, 8);
                path.Pop();
            }
            else if (name.SequenceEqual("name"u8))
            {
                path.Push("name");
                span.Name = JsonInput.ReadString(ref reader, state.Pool, path);
                path.Pop();
            }
            else if (name.SequenceEqual("kind"u8))
            {
                path.Push("kind");
                span.Kind = ReadKind(ref reader, path);
                path.Pop();
            }
            else if (Is(name, "startTimeUnixNano"u8, "start_time_unix_nano"u8))
            {
                path.Push("startTimeUnixNano");
                startTime = JsonInput.ReadUInt64(ref reader, path, "nanoseconds");
                path.Pop();
            }
            else if (Is(name, "endTimeUnixNano"u8, "end_time_unix_nano"u8))
            {
                path.Push("endTimeUnixNano");
                endTime = JsonInput.ReadUInt64(ref reader, path, "nanoseconds");
                path.Pop();
            }
            else if (name.SequenceEqual("attributes"u8))
            {
                path.Push("attributes");
                ForEach(ref reader, state, ReadSpanAttribute);
                path.Pop();
            }
            else if (name.SequenceEqual("links"u8))
            {
                path.Push("links");
                ForEach(ref reader, state, ReadLink);
                path.Pop();
            }
            else if (name.SequenceEqual("status"u8))
            {
                path.Push("status");
                ReadStatus(ref reader, state);
                path.Pop();
            }
            else
            {
                reader.Skip();
            }
        }
        if (Invalid(traceId, spanId, parentId) is { } reason)
        {
            state.Rejections.Add(path.ToString(), reason);
            return;
        }
        span.TraceId = new TraceId(traceId.High, traceId.Low);
        span.SpanId = spanId.Low;
        span.ParentId = parentId.Low;
        // As the protobuf decoder reads the same fixed64 fields, so both encodings give the same span.
        span.StartUnixNano = (long)Math.Min(startTime, long.MaxValue);
        span.DurationNano = endTime > startTime ? (long)Math.Min(endTime - startTime, long.MaxValue) : 0;
        state.Spans.Add(span.Build());
    }

    /// <summary>The same rule as for protobuf: a trace id of 16 bytes, a span id of 8, neither all zero.</summary>
    private static string? Invalid(Id traceId, Id spanId, Id parentId) =>
        traceId.Bytes != 16 ? $"traceId is {traceId.Bytes} bytes, expected 16"
        : traceId.High == 0 && traceId.Low == 0 ? "traceId is all zero"
        : spanId.Bytes != 8 ? $"spanId is {spanId.Bytes} bytes, expected 8"
        : spanId.Low == 0 ? "spanId is all zero"
        : parentId.Bytes is not (0 or 8) ? $"parentSpanId is {parentId.Bytes} bytes, expected 8 or none"
        : null;

    /// <summary>
    /// Hex of any even length is well-formed bytes (a wrong length rejects only the span, as in
    /// protobuf); anything else, base64 included, is a malformed request.
    /// </summary>
    private static Id ReadId(ref Utf8JsonReader reader, JsonPath path, int size)
    {
        var hex = JsonInput.StringBytes(ref reader, path);
        if (!HexId.IsEvenHex(hex))
        {
            throw path.Error($"expected {size * 2} hex digits, got {JsonInput.Raw(ref reader)}");
        }
        if (hex.Length != size * 2)
        {
            return new Id(hex.Length / 2, 0, 0);
        }
        // The digits are checked above, so the halves parse.
        ulong high = 0;
        _ = HexId.TryParseUInt64(hex[^16..], out var low);
        if (size == 16)
        {
            _ = HexId.TryParseUInt64(hex[..16], out high);
        }
        return new Id(size, high, low);
    }

    private static SpanKind ReadKind(ref Utf8JsonReader reader, JsonPath path)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.ValueSpan.IsEmpty && reader.ValueSpan[0] is >= (byte)'A' and <= (byte)'Z')
        {
            var text = reader.ValueSpan;
            return text switch
            {
                _ when text.SequenceEqual("SPAN_KIND_UNSPECIFIED"u8) => SpanKind.Unspecified,
                _ when text.SequenceEqual("SPAN_KIND_INTERNAL"u8) => SpanKind.Internal,
                _ when text.SequenceEqual("SPAN_KIND_SERVER"u8) => SpanKind.Server,
                _ when text.SequenceEqual("SPAN_KIND_CLIENT"u8) => SpanKind.Client,
                _ when text.SequenceEqual("SPAN_KIND_PRODUCER"u8) => SpanKind.Producer,
                _ when text.SequenceEqual("SPAN_KIND_CONSUMER"u8) => SpanKind.Consumer,
                _ => throw path.Error($"expected a SpanKind number or name, got {JsonInput.Raw(ref reader)}"),
            };
        }
        var kind = JsonInput.ReadInt64(ref reader, path, "a SpanKind number or name");
        return kind is >= 0 and <= (long)SpanKind.Consumer ? (SpanKind)kind : SpanKind.Unspecified;
    }

    private static void ReadStatus(ref Utf8JsonReader reader, State state)
    {
        JsonInput.Expect(ref reader, JsonTokenType.StartObject, state.Path);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isCode = reader.ValueTextEquals("code"u8);
            reader.Read();
            if (!isCode || reader.TokenType == JsonTokenType.Null)
            {
                reader.Skip();
                continue;
            }
            state.Path.Push("code");
            state.Fields.Error = reader.TokenType == JsonTokenType.String && reader.ValueSpan.StartsWith("STATUS_CODE_"u8)
                ? reader.ValueTextEquals("STATUS_CODE_ERROR"u8)
                : JsonInput.ReadInt64(ref reader, state.Path, "a StatusCode number or name") == 2;
            state.Path.Pop();
        }
    }

    private static void ReadLink(ref Utf8JsonReader reader, State state)
    {
        var path = state.Path;
        Id traceId = default, spanId = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isTrace = Is(ref reader, "traceId"u8, "trace_id"u8);
            var isSpan = !isTrace && Is(ref reader, "spanId"u8, "span_id"u8);
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null || !(isTrace || isSpan))
            {
                reader.Skip();
                continue;
            }
            path.Push(isTrace ? "traceId" : "spanId");
            var id = ReadId(ref reader, path, isTrace ? 16 : 8);
            path.Pop();
            (isTrace ? ref traceId : ref spanId) = id;
        }
        if (traceId.Bytes == 16 && spanId.Bytes == 8)
        {
            state.Fields.AddLink(new SpanLink(new TraceId(traceId.High, traceId.Low), spanId.Low));
        }
    }

    private static bool Is(ref Utf8JsonReader reader, ReadOnlySpan<byte> camel, ReadOnlySpan<byte> snake) =>
        reader.ValueTextEquals(camel) || reader.ValueTextEquals(snake);

    private static bool Is(ReadOnlySpan<byte> name, ReadOnlySpan<byte> camel, ReadOnlySpan<byte> snake) =>
        name.SequenceEqual(camel) || name.SequenceEqual(snake);

    /// <summary>A decoded hex id: its length in bytes and, when the length is right, its value.</summary>
    private readonly record struct Id(int Bytes, ulong High, ulong Low);

    private sealed class State
    {
        public readonly JsonPath Path = new();
        public readonly Utf8StringPool Pool = new();
        public readonly SpanFields Fields = new();
        public readonly List<Span> Spans = [];
        public readonly Rejections Rejections = new();
        public string? Service;
        public string? Namespace;
    }
}
