using System.Text.Json;

namespace DepMap.Ingest.Common;

/// <summary>What the JSON decoders share: reader limits, token checks and syntax errors as decode errors.</summary>
internal static class JsonInput
{
    /// <summary>Deeper documents are refused rather than walked: no trace format nests past a dozen levels.</summary>
    public const int MaxDepth = 64;

    public static JsonReaderOptions ReaderOptions => new() { MaxDepth = MaxDepth };

    /// <summary>Moves to the first token, refusing an empty or blank body with the format it expected.</summary>
    public static void ReadFirst(ref Utf8JsonReader reader, ReadOnlySpan<byte> payload, string expected)
    {
        if (payload.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw new SpanDecodeException($"empty body: expected {expected}");
        }
        reader.Read();
    }

    /// <summary>After the document's last token only whitespace may follow; the reader checks that on one more read.</summary>
    public static void ReadEnd(ref Utf8JsonReader reader)
    {
        if (reader.Read())
        {
            throw new SpanDecodeException($"byte {reader.TokenStartIndex}: unexpected content after the end of the JSON document");
        }
    }

    /// <summary>A syntax error from the reader, located by absolute byte offset (the reader counts per line).</summary>
    /// <summary>True for the reader's own <see cref="InvalidOperationException"/>, the one <see cref="BadEscape"/> stands for.</summary>
    public static bool IsReaderError(InvalidOperationException exception) =>
        exception.TargetSite?.Module.Assembly == typeof(Utf8JsonReader).Assembly;

    /// <summary>
    /// The reader accepts a lone surrogate escape (<c>\ud800</c>) and only fails when it unescapes
    /// the token, as comparing a property name does: that is malformed input, not a server error.
    /// </summary>
    public static SpanDecodeException BadEscape(ref Utf8JsonReader reader, JsonPath path) =>
        path.Error($"byte {reader.TokenStartIndex}: a \\u escape that is not valid UTF-16 (a lone surrogate)");

    public static SpanDecodeException Malformed(ReadOnlySpan<byte> payload, JsonException exception)
    {
        var offset = exception.BytePositionInLine ?? 0;
        var line = exception.LineNumber ?? 0;
        var lineStart = 0;
        for (var i = 0; i < line && lineStart < payload.Length; i++)
        {
            var next = payload[lineStart..].IndexOf((byte)'\n');
            if (next < 0)
            {
                break;
            }
            lineStart += next + 1;
        }
        var reason = exception.Message;
        var cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut >= 0)
        {
            reason = reason[..cut];
        }
        return new SpanDecodeException($"byte {lineStart + offset}: invalid JSON: {reason}");
    }

    public static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    public static SpanDecodeException TypeError(JsonPath path, string expected, JsonTokenType actual) =>
        path.Error($"expected {expected}, got {Describe(actual)}");

    /// <summary>A string or null; empty strings count as absent. Repeated names come from the batch's pool.</summary>
    public static string? ReadString(ref Utf8JsonReader reader, Utf8StringPool pool, JsonPath path)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String when reader.ValueIsEscaped:
                var unescaped = GetString(ref reader, path);
                return unescaped.Length == 0 ? null : unescaped;
            case JsonTokenType.String when reader.ValueSpan.IsEmpty:
                return null;
            case JsonTokenType.String:
                try
                {
                    return pool.Get(reader.ValueSpan);
                }
                catch (SpanDecodeException)
                {
                    // The reader passes unescaped strings through unchecked: the same error as an escaped one's.
                    throw path.Error($"byte {reader.TokenStartIndex}: {Utf8StringPool.InvalidUtf8}");
                }
            default:
                throw TypeError(path, "a string", reader.TokenType);
        }
    }

    /// <summary>The raw bytes of a string value, unescaped only when needed (ids and numbers never are).</summary>
    public static ReadOnlySpan<byte> StringBytes(ref Utf8JsonReader reader, JsonPath path)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw TypeError(path, "a string", reader.TokenType);
        }
        return reader.ValueIsEscaped ? System.Text.Encoding.UTF8.GetBytes(GetString(ref reader, path)) : reader.ValueSpan;
    }

    /// <summary>
    /// An escaped string or property name as text. The reader checks escapes but not the UTF-8 around
    /// them until it transcodes, so invalid bytes surface here and become a decode error.
    /// </summary>
    public static string GetString(ref Utf8JsonReader reader, JsonPath path)
    {
        try
        {
            return reader.GetString() ?? "";
        }
        catch (InvalidOperationException)
        {
            throw path.Error($"byte {reader.TokenStartIndex}: {Utf8StringPool.InvalidUtf8}");
        }
    }

    /// <summary>An integer given as a JSON number or, as OTLP JSON writes 64-bit values, a string of digits.</summary>
    public static long ReadInt64(ref Utf8JsonReader reader, JsonPath path, string expected = "an integer")
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (reader.TryGetInt64(out var value))
            {
                return value;
            }
            if (reader.TryGetDouble(out var real) && real is >= long.MinValue and <= long.MaxValue)
            {
                return (long)real;
            }
        }
        else if (reader.TokenType == JsonTokenType.String)
        {
            var digits = StringBytes(ref reader, path);
            if (System.Buffers.Text.Utf8Parser.TryParse(digits, out long parsed, out var consumed) && consumed == digits.Length)
            {
                return parsed;
            }
        }
        throw reader.TokenType is JsonTokenType.Number or JsonTokenType.String
            ? path.Error($"expected {expected}, got {Raw(ref reader)}")
            : TypeError(path, expected, reader.TokenType);
    }

    /// <summary>
    /// An unsigned 64-bit integer (OTLP's fixed64 times), as a JSON number or a string of digits,
    /// so OTLP JSON takes every value OTLP protobuf takes, and refuses a negative one as protobuf cannot carry it.
    /// </summary>
    public static ulong ReadUInt64(ref Utf8JsonReader reader, JsonPath path, string expected)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (reader.TryGetUInt64(out var value))
            {
                return value;
            }
            if (reader.TryGetDouble(out var real) && real is >= 0 and < ulong.MaxValue)
            {
                return (ulong)real;
            }
        }
        else if (reader.TokenType == JsonTokenType.String)
        {
            var digits = StringBytes(ref reader, path);
            if (System.Buffers.Text.Utf8Parser.TryParse(digits, out ulong parsed, out var consumed) && consumed == digits.Length)
            {
                return parsed;
            }
        }
        throw reader.TokenType is JsonTokenType.Number or JsonTokenType.String
            ? path.Error($"expected {expected}, got {Raw(ref reader)}")
            : TypeError(path, expected, reader.TokenType);
    }

    public static bool ReadBool(ref Utf8JsonReader reader, JsonPath path) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False or JsonTokenType.Null => false,
        JsonTokenType.String when reader.ValueTextEquals("true"u8) => true,
        JsonTokenType.String when reader.ValueTextEquals("false"u8) => false,
        _ => throw TypeError(path, "a boolean", reader.TokenType),
    };

    /// <summary>The token's text as written, quoted when it is a string, cut short for messages.</summary>
    public static string Raw(ref Utf8JsonReader reader)
    {
        var span = reader.ValueSpan;
        var text = System.Text.Encoding.UTF8.GetString(span[..Math.Min(span.Length, 40)]) + (span.Length > 40 ? "..." : "");
        return reader.TokenType == JsonTokenType.String ? "\"" + text + "\"" : text;
    }

    /// <summary>Checks the current token opens the expected container.</summary>
    public static void Expect(ref Utf8JsonReader reader, JsonTokenType start, JsonPath path)
    {
        if (reader.TokenType != start)
        {
            throw TypeError(path, start == JsonTokenType.StartArray ? "an array" : "an object", reader.TokenType);
        }
    }
}
