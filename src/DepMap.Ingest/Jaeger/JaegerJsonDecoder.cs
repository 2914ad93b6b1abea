using System.Text.Json;
using DepMap.Core.Spans;
using DepMap.Ingest.Common;

namespace DepMap.Ingest.Jaeger;

/// <summary>
/// Jaeger JSON as Jaeger UI downloads a trace (<c>{"data":[{"traceID","spans","processes"}]}</c>), or a
/// bare trace object, or an array of them. Times are microseconds; the reporting service comes from
/// the span's process; kind, failure and peer attributes are tags.
/// </summary>
internal static partial class JaegerJsonDecoder
{
    private const string Expected = "a Jaeger JSON document ({\"data\":[traces]}, a trace, or an array of traces)";

    public static DecodedBatch Decode(ReadOnlySpan<byte> payload)
    {
        var reader = new Utf8JsonReader(payload, JsonInput.ReaderOptions);
        var state = new State();
        try
        {
            JsonInput.ReadFirst(ref reader, payload, Expected);
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    ReadTraces(ref reader, state);
                    break;
                case JsonTokenType.StartObject:
                    ReadDocument(ref reader, state);
                    break;
                default:
                    throw new SpanDecodeException($"expected {Expected}, got {JsonInput.Describe(reader.TokenType)}");
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

    /// <summary>The top object is either the API envelope with <c>data</c> or a single trace.</summary>
    private static void ReadDocument(ref Utf8JsonReader reader, State state)
    {
        var probe = reader;
        while (probe.Read() && probe.TokenType == JsonTokenType.PropertyName)
        {
            if (probe.ValueTextEquals("data"u8))
            {
                ReadEnvelope(ref reader, state);
                return;
            }
            probe.Read();
            probe.Skip();
        }
        ReadTrace(ref reader, state);
    }

    private static void ReadEnvelope(ref Utf8JsonReader reader, State state)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isData = reader.ValueTextEquals("data"u8);
            reader.Read();
            if (!isData)
            {
                reader.Skip();
                continue;
            }
            state.Path.Push("data");
            if (reader.TokenType != JsonTokenType.Null)
            {
                JsonInput.Expect(ref reader, JsonTokenType.StartArray, state.Path);
                ReadTraces(ref reader, state);
            }
            state.Path.Pop();
        }
    }

    private static void ReadTraces(ref Utf8JsonReader reader, State state)
    {
        state.Path.PushIndex(0);
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            state.Path.SetIndex(index++);
            ReadTrace(ref reader, state);
        }
        state.Path.Pop();
    }

    private static void ReadTrace(ref Utf8JsonReader reader, State state)
    {
        var path = state.Path;
        JsonInput.Expect(ref reader, JsonTokenType.StartObject, path);
        // Processes may follow the spans that refer to them: read them first from a copy of the reader.
        state.Processes.Clear();
        var probe = reader;
        while (probe.Read() && probe.TokenType == JsonTokenType.PropertyName)
        {
            var isProcesses = probe.ValueTextEquals("processes"u8);
            probe.Read();
            if (isProcesses)
            {
                path.Push("processes");
                ReadProcesses(ref probe, state);
                path.Pop();
            }
            else
            {
                probe.Skip();
            }
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isSpans = reader.ValueTextEquals("spans"u8);
            reader.Read();
            if (!isSpans || reader.TokenType == JsonTokenType.Null)
            {
                reader.Skip();
                continue;
            }
            path.Push("spans");
            JsonInput.Expect(ref reader, JsonTokenType.StartArray, path);
            path.PushIndex(0);
            var index = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                path.SetIndex(index++);
                ReadSpan(ref reader, state);
            }
            path.Pop();
            path.Pop();
        }
    }

    private static void ReadProcesses(ref Utf8JsonReader reader, State state)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }
        JsonInput.Expect(ref reader, JsonTokenType.StartObject, state.Path);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var id = JsonInput.GetString(ref reader, state.Path);
            reader.Read();
            state.Path.Push(id);
            state.Processes[id] = ReadProcess(ref reader, state);
            state.Path.Pop();
        }
    }

    private static Process ReadProcess(ref Utf8JsonReader reader, State state)
    {
        var path = state.Path;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return default;
        }
        JsonInput.Expect(ref reader, JsonTokenType.StartObject, path);
        string? service = null, serviceNamespace = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("serviceName"u8))
            {
                reader.Read();
                path.Push("serviceName");
                service = JsonInput.ReadString(ref reader, state.Pool, path);
                path.Pop();
            }
            else if (reader.ValueTextEquals("tags"u8))
            {
                reader.Read();
                path.Push("tags");
                var fields = state.ProcessFields;
                fields.Reset();
                ReadTags(ref reader, state, fields);
                serviceNamespace = fields.ServiceNamespace;
                path.Pop();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return new Process(service, serviceNamespace);
    }

    private static void ReadSpan(ref Utf8JsonReader reader, State state)
    {
        var path = state.Path;
        JsonInput.Expect(ref reader, JsonTokenType.StartObject, path);
        var span = state.Fields;
        span.Reset();
        string? processId = null;
        Process? inline = null;
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
                case 7 when name.SequenceEqual("traceID"u8):
                    path.Push("traceID");
                    span.TraceId = JsonIds.ReadTraceId(ref reader, path);
                    path.Pop();
                    break;
                case 6 when name.SequenceEqual("spanID"u8):
                    path.Push("spanID");
                    span.SpanId = JsonIds.ReadSpanId(ref reader, path);
                    path.Pop();
                    break;
                case 12 when name.SequenceEqual("parentSpanID"u8):
                    path.Push("parentSpanID");
                    span.ParentId = JsonIds.ReadSpanId(ref reader, path);
                    path.Pop();
                    break;
                case 13 when name.SequenceEqual("operationName"u8):
                    path.Push("operationName");
                    span.Name = JsonInput.ReadString(ref reader, state.Pool, path);
                    path.Pop();
                    break;
                case 9 when name.SequenceEqual("startTime"u8):
                    path.Push("startTime");
                    span.StartUnixNano = JsonIds.ReadMicros(ref reader, path);
                    path.Pop();
                    break;
                case 8 when name.SequenceEqual("duration"u8):
                    path.Push("duration");
                    span.DurationNano = JsonIds.ReadMicros(ref reader, path);
                    path.Pop();
                    break;
                case 10 when name.SequenceEqual("references"u8):
                    path.Push("references");
                    ReadReferences(ref reader, state);
                    path.Pop();
                    break;
                case 4 when name.SequenceEqual("tags"u8):
                    path.Push("tags");
                    ReadTags(ref reader, state, span);
                    path.Pop();
                    break;
                case 9 when name.SequenceEqual("processID"u8):
                    path.Push("processID");
                    processId = JsonInput.ReadString(ref reader, state.Pool, path);
                    path.Pop();
                    break;
                case 7 when name.SequenceEqual("process"u8):
                    path.Push("process");
                    inline = ReadProcess(ref reader, state);
                    path.Pop();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        var process = inline ?? (processId is not null && state.Processes.TryGetValue(processId, out var shared) ? shared : default);
        span.LocalService = process.Service;
        span.ServiceNamespace ??= process.Namespace;
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

    private readonly record struct Process(string? Service, string? Namespace);

    private sealed class State
    {
        public readonly JsonPath Path = new();
        public readonly Utf8StringPool Pool = new();
        public readonly SpanFields Fields = new();
        public readonly SpanFields ProcessFields = new();
        public readonly Dictionary<string, Process> Processes = new(StringComparer.Ordinal);
        public readonly List<Span> Spans = [];
        public readonly Rejections Rejections = new();
    }
}
