namespace DepMap.Core.Statistics;

/// <summary>
/// An edge's operations, bounded so a high-cardinality span name (an id in the path) cannot blow up
/// memory: at most <see cref="MaxNamed"/> named operations, the rest summed in <see cref="Other"/>.
/// </summary>
/// <remarks>
/// The rule, and why it stays right under subtraction: the edge's own totals are always exact; the
/// named operations plus <see cref="Other"/> always add up to them. An operation gets a name slot when
/// it first arrives while a slot is free; <see cref="Merge"/> (minute buckets into hours) keeps the
/// busiest <see cref="MaxNamed"/> of both sides and folds the rest into Other. Subtracting takes from
/// the first of the same-named operation, Other, and the least busy named operations that holds all
/// of it (calls, errors and latency buckets), so a call folded into Other when it was added is found
/// there again; when none holds all of it, it is taken piecewise in that order. Which operation owns a call can
/// depend on arrival order; the sum never does.
/// </remarks>
internal sealed class OperationTable
{
    public const int MaxNamed = 20;

    // A list searched by name rather than a dictionary: it holds at most MaxNamed entries, usually
    // one or two, and every edge of every bucket keeps one, so its size is what counts. No rule
    // depends on its order.
    private readonly List<OperationStatistics> _named = new(1);

    public OperationStatistics? Other { get; private set; }

    public int NamedCount => _named.Count;

    public IEnumerable<string> Names => _named.Select(op => op.Name);

    /// <summary>Busiest first, then by name (ordinal), so output is deterministic.</summary>
    /// <remarks>
    /// An array sort rather than LINQ's OrderBy/ThenBy: every stored edge row is serialised through
    /// this, and the LINQ pipeline was most of the serialisation's time. Names are unique, so the
    /// order is total and an unstable sort gives the same result.
    /// </remarks>
    public IReadOnlyList<OperationStatistics> Named => Sorted();

    // An array, so WriteTo's loop over it boxes no enumerator for every edge it writes.
    private OperationStatistics[] Sorted()
    {
        var named = _named.ToArray();
        Array.Sort(named, static (a, b) =>
            a.CallCount != b.CallCount ? b.CallCount.CompareTo(a.CallCount) : string.CompareOrdinal(a.Name, b.Name));
        return named;
    }

    public void Add(string name, bool failed, long? latencyNano)
    {
        var op = Find(name);
        if (op is null)
        {
            if (_named.Count < MaxNamed)
            {
                op = new OperationStatistics(name);
                _named.Add(op);
            }
            else
            {
                op = Other ??= new OperationStatistics(EdgeStatistics.OtherOperationName);
            }
        }
        op.CallCount++;
        op.ErrorCount += failed ? 1 : 0;
        if (latencyNano is { } latency)
        {
            op.Latency.Add(latency);
        }
    }

    public void Merge(OperationTable other)
    {
        foreach (var op in other._named)
        {
            if (Find(op.Name) is { } mine)
            {
                mine.Merge(op);
            }
            else
            {
                _named.Add(op.Clone());
            }
        }
        if (other.Other is { } otherFolded)
        {
            FoldIntoOther(otherFolded);
        }
        if (_named.Count > MaxNamed)
        {
            foreach (var op in Named.Skip(MaxNamed))
            {
                _named.Remove(op);
                FoldIntoOther(op);
            }
        }
    }

    public void Subtract(OperationTable other)
    {
        foreach (var op in other._named.OrderBy(o => o.Name, StringComparer.Ordinal))
        {
            Take(op.Clone(), Find(op.Name));
        }
        if (other.Other is { } otherFolded)
        {
            Take(otherFolded.Clone(), null);
        }
    }

    public void WriteTo(CompactWriter writer)
    {
        var named = Sorted();
        writer.WriteVarint((ulong)named.Length);
        foreach (var op in named)
        {
            op.WriteTo(writer);
        }
        writer.WriteByte(Other is null ? (byte)0 : (byte)1);
        Other?.WriteTo(writer);
    }

    public static OperationTable ReadFrom(ref CompactReader reader)
    {
        var table = new OperationTable();
        var at = reader.Position;
        var count = reader.ReadVarint();
        if (count > MaxNamed)
        {
            throw reader.Corrupt($"{count} named operations exceed {MaxNamed}", at);
        }
        for (var i = 0UL; i < count; i++)
        {
            at = reader.Position;
            var op = OperationStatistics.ReadFrom(ref reader);
            if (table.Find(op.Name) is not null)
            {
                throw reader.Corrupt($"operation '{op.Name}' twice", at);
            }
            table._named.Add(op);
        }
        at = reader.Position;
        table.Other = reader.ReadByte() switch
        {
            0 => null,
            1 => OperationStatistics.ReadFrom(ref reader),
            var flag => throw reader.Corrupt($"other-operations flag {flag}", at),
        };
        return table;
    }

    private OperationStatistics? Find(string name)
    {
        foreach (var op in _named)
        {
            if (string.Equals(op.Name, name, StringComparison.Ordinal))
            {
                return op;
            }
        }
        return null;
    }

    private void FoldIntoOther(OperationStatistics op)
    {
        if (Other is null)
        {
            Other = op.Clone(EdgeStatistics.OtherOperationName);
        }
        else
        {
            Other.Merge(op);
        }
    }

    private void Take(OperationStatistics wanted, OperationStatistics? sameName)
    {
        var sources = new List<OperationStatistics>(_named.Count + 2);
        if (sameName is not null)
        {
            sources.Add(sameName);
        }
        if (Other is not null)
        {
            sources.Add(Other);
        }
        sources.AddRange(_named
            .Where(o => !ReferenceEquals(o, sameName))
            .OrderBy(o => o.CallCount)
            .ThenBy(o => o.Name, StringComparer.Ordinal));
        // A source holding all of it is where it was most likely added: take it whole from there.
        if (sources.Find(s => s.Covers(wanted)) is { } whole)
        {
            sources = [whole];
        }
        foreach (var source in sources)
        {
            var done = source.TakeFrom(wanted);
            if (source.CallCount == 0)
            {
                if (ReferenceEquals(source, Other))
                {
                    Other = null;
                }
                else
                {
                    _named.Remove(source);
                }
            }
            if (done)
            {
                return;
            }
        }
    }
}
