using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DepMap.Tests.Shared;

/// <summary>
/// The examples of docs/linking.md: each link to a file of docs/examples/linking followed by the
/// <c>edges</c> block (and optionally the <c>zipkin-links</c> block) that the page states for it.
/// The tests of the CLI and of the service compare what DepMap draws from each file with the page,
/// so the page cannot drift from the code.
/// </summary>
public static partial class LinkingDocs
{
    /// <summary>The folder beside the test binaries holding linking.md and the example files.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Linking");

    public static string ExampleFile(string name) => Path.Combine(Folder, name);

    /// <summary>Every example of the page, in page order.</summary>
    public static IReadOnlyList<LinkingExample> Examples()
    {
        var page = File.ReadAllText(Path.Combine(Folder, "linking.md"));
        var links = ExampleLink().Matches(page);
        var examples = new List<LinkingExample>();
        for (var i = 0; i < links.Count; i++)
        {
            var start = links[i].Index;
            var end = i + 1 < links.Count ? links[i + 1].Index : page.Length;
            var section = page[start..end];
            var edges = Block(section, "edges");
            if (edges is null)
            {
                continue;
            }
            examples.Add(new LinkingExample(links[i].Groups[1].Value, edges, Block(section, "zipkin-links")));
        }
        return examples;
    }

    /// <summary>The lines of <c>/graph.json</c>'s (or <c>depmap graph -f json</c>'s) edges, in the page's words, sorted.</summary>
    public static IReadOnlyList<string> EdgeLines(string graphJson)
    {
        using var graph = JsonDocument.Parse(graphJson);
        return Sorted(graph.RootElement.GetProperty("edges").EnumerateArray().Select(e =>
        {
            var type = e.GetProperty("connectionType").GetString();
            return string.Create(CultureInfo.InvariantCulture,
                $"{e.GetProperty("source").GetString()} -> {e.GetProperty("target").GetString()} ({(string.IsNullOrEmpty(type) ? "rpc" : type)}) calls={e.GetProperty("callCount").GetInt64()} errors={e.GetProperty("errorCount").GetInt64()}");
        }));
    }

    /// <summary>The lines of a Zipkin dependency-link array, in the page's words, sorted.</summary>
    public static IReadOnlyList<string> ZipkinLines(string linksJson)
    {
        using var links = JsonDocument.Parse(linksJson);
        return Sorted(links.RootElement.EnumerateArray().Select(l => string.Create(CultureInfo.InvariantCulture,
            $"{l.GetProperty("parent").GetString()} -> {l.GetProperty("child").GetString()} calls={l.GetProperty("callCount").GetInt64()} errors={(l.TryGetProperty("errorCount", out var errors) ? errors.GetInt64() : 0)}")));
    }

    private static string[]? Block(string section, string name)
    {
        var match = Regex.Match(section, "```" + name + "\\n(.*?)```", RegexOptions.Singleline);
        return match.Success ? Sorted(match.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) : null;
    }

    private static string[] Sorted(IEnumerable<string> lines) => [.. lines.Order(StringComparer.Ordinal)];

    [GeneratedRegex(@"\]\(examples/linking/([a-z0-9-]+\.json)\)")]
    private static partial Regex ExampleLink();
}

/// <summary>One example of docs/linking.md: the file and the edges the page says DepMap draws from it.</summary>
public sealed record LinkingExample(string File, IReadOnlyList<string> Edges, IReadOnlyList<string>? ZipkinLinks)
{
    public override string ToString() => File;
}
