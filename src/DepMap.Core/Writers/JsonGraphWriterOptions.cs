namespace DepMap.Core.Writers;

/// <summary>How <see cref="JsonGraphWriter"/> writes a graph.</summary>
public sealed record JsonGraphWriterOptions
{
    public static readonly JsonGraphWriterOptions Default = new();

    public bool Indented { get; init; } = true;

    /// <summary>
    /// Write <c>firstSeen</c>, <c>lastSeen</c> and <c>exemplars</c>. Snapshot files turn this off:
    /// these change with every window even when the traffic does not, and would clutter a git diff.
    /// </summary>
    public bool IncludeTimesAndExemplars { get; init; } = true;
}
