using System.Runtime.InteropServices;

namespace DepMap.Core.Reliability;

/// <summary>
/// Reliability facts summed per service and per edge over many traces. Mergeable: adding and then
/// subtracting the same traces or statistics gives back what was there, because the service
/// re-links late traces and corrects a window by the difference. Entries that fall to zero are
/// removed, so an emptied window is <see cref="IsEmpty"/>.
/// </summary>
public sealed class ReliabilityStatistics
{
    private readonly SortedDictionary<string, ServiceTotals> _services = new(StringComparer.Ordinal);
    // The same totals by hash: every trace looks up each of its services, and a tree lookup costs
    // a string comparison per level.
    private readonly Dictionary<string, ServiceTotals> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<ServiceEdge, EdgeFacts> _edges = [];

    public long Traces { get; private set; }
    public IReadOnlyDictionary<string, ServiceTotals> Services => _services;
    public IReadOnlyDictionary<ServiceEdge, EdgeFacts> Edges => _edges;
    public bool IsEmpty => Traces == 0 && _services.Count == 0 && _edges.Count == 0;

    public void Add(TraceReliability trace) => Apply(trace, 1);

    public void Subtract(TraceReliability trace) => Apply(trace, -1);

    public void Add(ReliabilityStatistics other) => Apply(other, 1);

    public void Subtract(ReliabilityStatistics other) => Apply(other, -1);

    /// <summary>A compact, deterministic binary form for storage in time buckets.</summary>
    public byte[] ToBytes() => ReliabilityStatisticsFormat.Write(this);

    /// <summary>Reads <see cref="ToBytes"/>' output; a <see cref="FormatException"/> names the problem.</summary>
    public static ReliabilityStatistics FromBytes(ReadOnlySpan<byte> bytes) => ReliabilityStatisticsFormat.Read(bytes);

    private void Apply(TraceReliability trace, int sign)
    {
        Traces += sign;
        foreach (var (name, facts) in Items(trace.Services))
        {
            var totals = Totals(name);
            totals.Facts = sign > 0 ? totals.Facts + facts : totals.Facts - facts;
            totals.EndToEndNano += sign * trace.EndToEndNano;
            totals.Traces += sign;
            totals.EntryPoints.Add(trace.EntryPoint, sign);
            Prune(name, totals);
        }
        foreach (var (edge, facts) in Items(trace.Edges))
        {
            AddEdge(edge, sign > 0 ? facts : default(EdgeFacts) - facts);
        }
    }

    private void Apply(ReliabilityStatistics other, int sign)
    {
        Traces += sign * other.Traces;
        foreach (var (name, theirs) in other._services)
        {
            var totals = Totals(name);
            totals.Facts = sign > 0 ? totals.Facts + theirs.Facts : totals.Facts - theirs.Facts;
            totals.EndToEndNano += sign * theirs.EndToEndNano;
            totals.Traces += sign * theirs.Traces;
            foreach (var (entry, count) in theirs.EntryPoints.Named)
            {
                totals.EntryPoints.Add(entry, sign * count);
            }
            totals.EntryPoints.AddOther(sign * theirs.EntryPoints.Other);
            Prune(name, totals);
        }
        foreach (var (edge, facts) in other._edges)
        {
            AddEdge(edge, sign > 0 ? facts : default(EdgeFacts) - facts);
        }
    }

    // The analyzer's own arrays, enumerated as such: through the interface every trace boxed two
    // enumerators here.
    private static ReadOnlySpan<KeyValuePair<TKey, TValue>> Items<TKey, TValue>(IReadOnlyDictionary<TKey, TValue> entries)
        where TKey : notnull =>
        entries is FactsByKey<TKey, TValue> facts ? facts.Items : entries.ToArray();

    internal ServiceTotals Totals(string name)
    {
        if (!_byName.TryGetValue(name, out var totals))
        {
            totals = new ServiceTotals();
            _byName.Add(name, totals);
            _services.Add(name, totals);
        }
        return totals;
    }

    internal void SetTraces(long traces) => Traces = traces;

    /// <summary>Makes room for as many services and edges as <paramref name="like"/> holds (the sorted view has no room to make).</summary>
    internal void ReserveLike(ReliabilityStatistics like)
    {
        _byName.EnsureCapacity(like._byName.Count);
        _edges.EnsureCapacity(like._edges.Count);
    }

    internal void AddEdge(ServiceEdge edge, EdgeFacts facts)
    {
        if (facts.IsZero)
        {
            return;
        }
        ref var sum = ref CollectionsMarshal.GetValueRefOrAddDefault(_edges, edge, out _);
        sum += facts;
        if (sum.IsZero)
        {
            _edges.Remove(edge);
        }
    }

    private void Prune(string name, ServiceTotals totals)
    {
        if (totals.IsEmpty)
        {
            _services.Remove(name);
            _byName.Remove(name);
        }
    }
}
