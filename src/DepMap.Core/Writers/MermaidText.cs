using System.Globalization;
using System.Text;

namespace DepMap.Core.Writers;

/// <summary>
/// Mermaid quoted labels for hostile input. Mermaid has no backslash escapes; it reads
/// <c>#NNN;</c> as a character code. Everything outside a small safe set (ASCII letters, digits,
/// space and punctuation Mermaid does not parse) is written as such a code, so quotes, brackets,
/// pipes, HTML and markdown cannot break out of the label; control characters become spaces.
/// </summary>
internal static class MermaidText
{
    private const string SafePunctuation = " .,:/_-()+=?!@$*'~^";

    public static string Quote(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                rune = Rune.ReplacementChar;
            }
            i += Math.Max(consumed, 1);
            if (Rune.IsControl(rune))
            {
                builder.Append(' ');
            }
            else if (rune.IsAscii && (char.IsAsciiLetterOrDigit((char)rune.Value) || SafePunctuation.Contains((char)rune.Value, StringComparison.Ordinal)))
            {
                builder.Append((char)rune.Value);
            }
            else
            {
                builder.Append('#').Append(rune.Value.ToString(CultureInfo.InvariantCulture)).Append(';');
            }
        }
        return builder.Append('"').ToString();
    }
}
