using System.Globalization;

namespace DepMap.Server.Features.Graph;

/// <summary>A query parameter that cannot be used, and why; answered as a 400 naming it.</summary>
internal sealed record ParameterError(string Parameter, string Reason)
{
    public string Detail => $"{Parameter}: {Reason}";
}

/// <summary>
/// Reads query parameters one by one and keeps the first problem. Every value is given at most
/// once: <c>?lookback=1h&amp;lookback=7d</c> has no single meaning, so it is refused, not guessed.
/// </summary>
internal sealed class QueryParameters(IQueryCollection query)
{
    public ParameterError? Error { get; private set; }

    public bool Failed => Error is not null;

    public bool Has(string name) => query.ContainsKey(name);

    /// <summary>The value, or null when absent; an error when given twice.</summary>
    public string? Text(string name)
    {
        if (Failed || !query.TryGetValue(name, out var values))
        {
            return null;
        }
        if (values.Count > 1)
        {
            Fail(name, $"given {values.Count} times; give it once");
            return null;
        }
        return values.ToString();
    }

    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>], or null when absent.</summary>
    public long? Integer(string name, long min, long max, string meaning)
    {
        var text = Text(name);
        if (text is null)
        {
            return null;
        }
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            || value < min || value > max)
        {
            Fail(name, $"'{Shown(text)}' is not {meaning}");
            return null;
        }
        return value;
    }

    public void Fail(string parameter, string reason) => Error ??= new ParameterError(parameter, reason);

    /// <summary>A value echoed in a message: control characters escaped, long ones cut.</summary>
    public static string Shown(string value)
    {
        const int MaxShown = 64;
        var text = value.Length > MaxShown ? value[..MaxShown] + "…" : value;
        return string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }
}
