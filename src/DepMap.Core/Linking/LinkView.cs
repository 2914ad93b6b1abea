namespace DepMap.Core.Linking;

/// <summary>
/// Which rules the linker applies to the one tree walk. <see cref="Zipkin"/> reproduces Zipkin's
/// <c>DependencyLinker</c> exactly; <see cref="DepMap"/> is its superset for OpenTelemetry data
/// (databases, uninstrumented peers, entry edges, direct producer to consumer edges).
/// </summary>
public enum LinkView
{
    DepMap = 0,
    Zipkin = 1,
}
