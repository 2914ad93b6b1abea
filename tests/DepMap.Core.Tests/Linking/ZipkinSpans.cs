using DepMap.Core.Linking;
using DepMap.Core.Spans;

namespace DepMap.Core.Tests.Linking;

/// <summary>The fixtures of Zipkin's <c>DependencyLinkerTest</c>, in its own shorthand.</summary>
internal static class ZipkinSpans
{
    /// <summary>Zipkin's <c>span(traceId, parentId, id, kind, local, remote, isError)</c>; a null kind is kind-less.</summary>
    public static Span Span(string traceId, string? parentId, string id, SpanKind? kind, string? local, string? remote, bool isError) => new()
    {
        TraceId = TraceId.TryParse(traceId, out var trace) ? trace : throw new ArgumentException(traceId),
        ParentId = parentId is null ? 0 : Convert.ToUInt64(parentId, 16),
        SpanId = Convert.ToUInt64(id, 16),
        Kind = kind ?? SpanKind.Unspecified,
        LocalService = local,
        RemoteService = remote,
        Error = isError,
    };

    /// <summary>What Zipkin's <c>new DependencyLinker().putTrace(...)...link()</c> returns, sorted.</summary>
    public static IReadOnlyList<DependencyLink> Links(params IReadOnlyList<Span>[] traces) =>
        ZipkinDependencies.Aggregate(traces.SelectMany(trace => TraceLinker.Link(trace, LinkerOptions.Zipkin).Calls));

    public static DependencyLink Link(string parent, string child, long callCount, long errorCount = 0) =>
        new(parent, child, callCount, errorCount);
}
