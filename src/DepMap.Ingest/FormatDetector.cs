using System.Text.Json;
using DepMap.Ingest.Common;

namespace DepMap.Ingest;

/// <summary>Recognises a payload's format from its first keys, without decoding it.</summary>
internal static class FormatDetector
{
    public static TraceFormat? Detect(ReadOnlySpan<byte> payload)
    {
        var text = payload.StartsWith("\uFEFF"u8) ? payload[3..] : payload;
        var trimmed = text.TrimStart(" \t\r\n"u8);
        // A JSON document starting with a newline looks like protobuf field 1 (0x0A): try JSON first.
        if (!trimmed.IsEmpty && trimmed[0] is (byte)'{' or (byte)'[' && DetectJson(trimmed) is { } json)
        {
            return json;
        }
        return LooksLikeOtlpProtobuf(payload) ? TraceFormat.OtlpProtobuf : null;
    }

    private static TraceFormat? DetectJson(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, JsonInput.ReaderOptions);
        try
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    return TraceFormat.ZipkinJson;
                }
                // An array of Jaeger traces has "traceID" and "spans"; Zipkin spans have "traceId".
                return reader.TokenType == JsonTokenType.StartObject
                    ? FromKeys(ref reader) switch
                    {
                        TraceFormat.JaegerJson => TraceFormat.JaegerJson,
                        _ => TraceFormat.ZipkinJson,
                    }
                    : null;
            }
            return FromKeys(ref reader);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads the keys of the object the reader is on until one names the format.</summary>
    private static TraceFormat? FromKeys(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("resourceSpans"u8) || reader.ValueTextEquals("resource_spans"u8))
            {
                return TraceFormat.OtlpJson;
            }
            if (reader.ValueTextEquals("data"u8) || reader.ValueTextEquals("traceID"u8)
                || reader.ValueTextEquals("spans"u8) || reader.ValueTextEquals("processes"u8))
            {
                return TraceFormat.JaegerJson;
            }
            if (reader.ValueTextEquals("traceId"u8))
            {
                return TraceFormat.ZipkinJson;
            }
            reader.Read();
            reader.Skip();
        }
        return null;
    }

    /// <summary>Every top-level field must be a well-formed <c>resource_spans</c> (field 1, length-delimited).</summary>
    private static bool LooksLikeOtlpProtobuf(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return false;
        }
        var position = 0;
        while (position < payload.Length)
        {
            if (payload[position++] != 0x0A)
            {
                return false;
            }
            ulong length = 0;
            var shift = 0;
            while (true)
            {
                if (position >= payload.Length || shift > 35)
                {
                    return false;
                }
                var b = payload[position++];
                length |= (ulong)(b & 0x7F) << shift;
                shift += 7;
                if (b < 0x80)
                {
                    break;
                }
            }
            if (length > (ulong)(payload.Length - position))
            {
                return false;
            }
            position += (int)length;
        }
        return true;
    }
}
