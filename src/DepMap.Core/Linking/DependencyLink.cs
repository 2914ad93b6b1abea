namespace DepMap.Core.Linking;

/// <summary>
/// Zipkin's dependency link: the calls from <see cref="Parent"/> to <see cref="Child"/> and how many
/// of them failed. This is the Zipkin view's output, byte-compatible with Zipkin's
/// <c>/api/v2/dependencies</c> JSON (parent, child, callCount, errorCount).
/// </summary>
public sealed record DependencyLink(string Parent, string Child, long CallCount, long ErrorCount);
