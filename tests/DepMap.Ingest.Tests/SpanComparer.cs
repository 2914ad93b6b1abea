using DepMap.Core.Spans;

namespace DepMap.Ingest.Tests;

/// <summary>Span equality by value, links included (the record compares its link list by reference).</summary>
internal sealed class SpanComparer : IEqualityComparer<Span>
{
    public static readonly SpanComparer Instance = new();

    public bool Equals(Span? x, Span? y) =>
        x is not null && y is not null && (x with { Links = [] }) == (y with { Links = [] }) && x.Links.SequenceEqual(y.Links);

    public int GetHashCode(Span obj) => HashCode.Combine(obj.TraceId, obj.SpanId);
}
