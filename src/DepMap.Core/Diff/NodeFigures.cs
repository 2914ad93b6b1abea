using DepMap.Core.Linking;

namespace DepMap.Core.Diff;

/// <summary>A node as a diff sees it: its name (the identity) and what it is.</summary>
public sealed record NodeFigures(string Name, NodeType Type);
