using System.Text;

namespace DepMap.Cli;

/// <summary>Writes a command's text to the -o file, or to stdout when there is none.</summary>
internal static class OutputFile
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static bool TryWrite(string? path, string text, TextWriter stdout, TextWriter stderr)
    {
        if (path is null or "-")
        {
            stdout.Write(text);
            stdout.Flush();
            return true;
        }
        try
        {
            File.WriteAllText(path, text, Utf8);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            stderr.WriteLine($"{path}: cannot write: {e.Message}");
            return false;
        }
    }
}
