using System.Text.Json;
using DepMap.Core.Spans;

namespace DepMap.Ingest.Common;

/// <summary>Zipkin's and Jaeger's hex ids and microsecond times. Null or "" reads as absent (zero).</summary>
internal static class JsonIds
{
    private const long MaxMicros = long.MaxValue / 1000;

    public static TraceId ReadTraceId(ref Utf8JsonReader reader, JsonPath path)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return default;
        }
        var hex = JsonInput.StringBytes(ref reader, path);
        return hex.IsEmpty ? default
            : HexId.TryParseTraceId(hex, out var id) ? id
            : throw path.Error($"expected 16 or 32 hex digits, got {JsonInput.Raw(ref reader)}");
    }

    public static ulong ReadSpanId(ref Utf8JsonReader reader, JsonPath path)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return 0;
        }
        var hex = JsonInput.StringBytes(ref reader, path);
        return hex.IsEmpty ? 0
            : HexId.TryParseUInt64(hex, out var id) ? id
            : throw path.Error($"expected 16 hex digits, got {JsonInput.Raw(ref reader)}");
    }

    /// <summary>
    /// Microseconds since the epoch (or a duration) as nanoseconds. A negative one reads as absent
    /// (zero), as Zipkin's own span builder reads it: Jaeger's model and OTLP hold times unsigned, so
    /// a span from before the epoch or one that ends before it starts is clock trouble, and OTLP could
    /// not carry it on.
    /// </summary>
    public static long ReadMicros(ref Utf8JsonReader reader, JsonPath path)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return 0;
        }
        var micros = JsonInput.ReadInt64(ref reader, path, "microseconds");
        return micros < 0 ? 0
            : micros <= MaxMicros ? micros * 1000
            : throw path.Error($"{micros} microseconds is out of range");
    }
}
