using System.Diagnostics.CodeAnalysis;

namespace DepMap.Core.Reliability;

/// <summary>
/// One trace's facts per service or per edge: the pairs in an array, read as a dictionary. A trace
/// names a handful of services, and the dictionaries copied out of the analyzer for every trace (their
/// entries, buckets and objects) were a twentieth of a rebuild's allocation. Lookups are linear; the
/// aggregation only enumerates <see cref="Items"/>.
/// </summary>
internal sealed class FactsByKey<TKey, TValue>(KeyValuePair<TKey, TValue>[] items) : IReadOnlyDictionary<TKey, TValue>
    where TKey : notnull
{
    internal ReadOnlySpan<KeyValuePair<TKey, TValue>> Items => items;

    public int Count => items.Length;

    public IEnumerable<TKey> Keys => items.Select(static item => item.Key);

    public IEnumerable<TValue> Values => items.Select(static item => item.Value);

    public TValue this[TKey key] =>
        TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"'{key}' is not in the trace's facts.");

    /// <summary>The pairs of <paramref name="filled"/>, in its order (insertion order: it was only ever added to).</summary>
    public static FactsByKey<TKey, TValue> CopyOf(Dictionary<TKey, TValue> filled)
    {
        var pairs = new KeyValuePair<TKey, TValue>[filled.Count];
        var i = 0;
        foreach (var pair in filled)
        {
            pairs[i++] = pair;
        }
        return new FactsByKey<TKey, TValue>(pairs);
    }

    public bool ContainsKey(TKey key) => TryGetValue(key, out _);

    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        foreach (var item in items)
        {
            if (EqualityComparer<TKey>.Default.Equals(item.Key, key))
            {
                value = item.Value;
                return true;
            }
        }
        value = default;
        return false;
    }

    public IEnumerator<KeyValuePair<TKey, TValue>> GetEnumerator() => ((IEnumerable<KeyValuePair<TKey, TValue>>)items).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
