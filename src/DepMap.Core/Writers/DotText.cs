using System.Text;

namespace DepMap.Core.Writers;

/// <summary>
/// Graphviz quoted strings for hostile input. Inside quotes only <c>"</c> and <c>\</c> are special to
/// the parser, but Graphviz then expands label escapes (<c>\N</c>, <c>\G</c>) and HTML entities
/// (<c>&amp;amp;</c>), so backslashes and ampersands are escaped too; newlines become Graphviz's own
/// line break; control characters and lone surrogates become U+FFFD.
/// </summary>
internal static class DotText
{
    public static string Quote(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        foreach (var rune in Runes(text))
        {
            switch (rune.Value)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '&': builder.Append("&amp;"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': break;
                default:
                    if (Rune.IsControl(rune))
                    {
                        builder.Append('\uFFFD');
                    }
                    else
                    {
                        builder.Append(rune.ToString());
                    }
                    break;
            }
        }
        return builder.Append('"').ToString();
    }

    /// <summary>A label whose lines are joined with Graphviz's centred line break; each line quoted as above.</summary>
    public static string QuoteLines(IEnumerable<string> lines)
    {
        var quoted = lines.Select(l => Quote(l.Replace('\n', ' '))[1..^1]);
        return "\"" + string.Join("\\n", quoted) + "\"";
    }

    private static IEnumerable<Rune> Runes(string text)
    {
        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                rune = Rune.ReplacementChar;
            }
            i += Math.Max(consumed, 1);
            yield return rune;
        }
    }
}
