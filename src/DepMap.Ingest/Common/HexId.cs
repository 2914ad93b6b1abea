using DepMap.Core.Spans;

namespace DepMap.Ingest.Common;

/// <summary>Hex ids as Zipkin, Jaeger and OTLP JSON write them, read straight from UTF-8.</summary>
internal static class HexId
{
    /// <summary>1 to 16 hex digits (Zipkin and Jaeger drop leading zeros).</summary>
    public static bool TryParseUInt64(ReadOnlySpan<byte> hex, out ulong value)
    {
        value = 0;
        if (hex.IsEmpty || hex.Length > 16)
        {
            return false;
        }
        foreach (var c in hex)
        {
            var digit = Digit(c);
            if (digit < 0)
            {
                return false;
            }
            value = (value << 4) | (uint)digit;
        }
        return true;
    }

    /// <summary>1 to 32 hex digits; the last 16 are the low half.</summary>
    public static bool TryParseTraceId(ReadOnlySpan<byte> hex, out TraceId id)
    {
        id = default;
        if (hex.IsEmpty || hex.Length > 32)
        {
            return false;
        }
        var lowStart = Math.Max(0, hex.Length - 16);
        ulong high = 0;
        if (!TryParseUInt64(hex[lowStart..], out var low) || (lowStart > 0 && !TryParseUInt64(hex[..lowStart], out high)))
        {
            return false;
        }
        id = new TraceId(high, low);
        return true;
    }

    /// <summary>True when every byte is a hex digit and the count is even, as OTLP JSON's bytes fields require.</summary>
    public static bool IsEvenHex(ReadOnlySpan<byte> hex)
    {
        if ((hex.Length & 1) != 0)
        {
            return false;
        }
        foreach (var c in hex)
        {
            if (Digit(c) < 0)
            {
                return false;
            }
        }
        return true;
    }

    private static int Digit(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
