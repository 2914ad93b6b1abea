using System.Globalization;

namespace DepMap.Core.Spans;

/// <summary>
/// A 64- or 128-bit trace id. <see cref="High"/> is zero for a 64-bit id. Traces are grouped by
/// <see cref="Low"/> alone, as Zipkin's storage does, so one hop reporting 64-bit ids and another
/// reporting 128-bit ids still form one trace.
/// </summary>
public readonly record struct TraceId(ulong High, ulong Low)
{
    public bool IsEmpty => High == 0 && Low == 0;

    /// <summary>Lower-case hex: 16 digits for a 64-bit id, 32 for a 128-bit one.</summary>
    public override string ToString() => High == 0
        ? Low.ToString("x16", CultureInfo.InvariantCulture)
        : High.ToString("x16", CultureInfo.InvariantCulture) + Low.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>Parses 1 to 32 hex digits (Zipkin and Jaeger left-trim zeros). False on anything else.</summary>
    public static bool TryParse(ReadOnlySpan<char> hex, out TraceId id)
    {
        id = default;
        if (hex.IsEmpty || hex.Length > 32)
        {
            return false;
        }
        var lowStart = Math.Max(0, hex.Length - 16);
        if (!ulong.TryParse(hex[lowStart..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var low))
        {
            return false;
        }
        ulong high = 0;
        if (lowStart > 0 && !ulong.TryParse(hex[..lowStart], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out high))
        {
            return false;
        }
        id = new TraceId(high, low);
        return true;
    }
}
