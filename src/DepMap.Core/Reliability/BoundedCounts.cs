namespace DepMap.Core.Reliability;

/// <summary>
/// Counts per name, keeping at most <see cref="Capacity"/> names; the counts of names that find
/// no room go to <see cref="Other"/>, so a high-cardinality input cannot grow memory while the
/// total stays exact. Subtracting a name that is not kept takes it from <see cref="Other"/>.
/// </summary>
public sealed class BoundedCounts(int capacity)
{
    private readonly Dictionary<string, long> _counts = [];

    public int Capacity { get; } = capacity;
    public IReadOnlyDictionary<string, long> Counts => _counts;

    // The same, for a merge's loop: enumerating the interface boxes an enumerator per service and bucket.
    internal Dictionary<string, long> Named => _counts;
    public long Other { get; private set; }
    public long Total => _counts.Values.Sum() + Other;
    public bool IsEmpty => _counts.Count == 0 && Other == 0;

    internal void Add(string name, long delta)
    {
        if (_counts.TryGetValue(name, out var count))
        {
            count += delta;
            if (count == 0)
            {
                _counts.Remove(name);
            }
            else
            {
                _counts[name] = count;
            }
        }
        else if (delta > 0 && _counts.Count < Capacity)
        {
            _counts[name] = delta;
        }
        else
        {
            Other += delta;
        }
    }

    internal void AddOther(long delta) => Other += delta;

    /// <summary>Names by count, largest first, then by name.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Ranked() =>
        [.. _counts.OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal)];
}
