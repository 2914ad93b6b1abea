namespace DepMap.Cli;

/// <summary>The kinds of change <c>depmap diff --fail-on</c> can fail a build on.</summary>
[Flags]
internal enum FailOn
{
    None = 0,
    AddedEdge = 1,
    RemovedEdge = 2,
    Regression = 4,
    AddedNode = 8,
    RemovedNode = 16,
}

internal static class FailOnList
{
    public const string Default = "added-edge,removed-edge,regression";

    private static readonly Dictionary<string, FailOn> Words = new(StringComparer.Ordinal)
    {
        ["added-edge"] = FailOn.AddedEdge,
        ["removed-edge"] = FailOn.RemovedEdge,
        ["regression"] = FailOn.Regression,
        ["added-node"] = FailOn.AddedNode,
        ["removed-node"] = FailOn.RemovedNode,
        ["none"] = FailOn.None,
    };

    public static string Known => string.Join(", ", Words.Keys);

    /// <summary>A comma-separated list of the words above; an unknown word is named in the exception.</summary>
    public static FailOn Parse(string text)
    {
        var result = FailOn.None;
        foreach (var word in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            result |= Words.TryGetValue(word, out var kind)
                ? kind
                : throw new InputException($"--fail-on: unknown kind '{word}'; use {Known}");
        }
        return result;
    }
}
