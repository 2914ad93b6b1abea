namespace DepMap.Storage.Aggregation;

/// <summary>
/// Which trace ids have a row in the trace table, as a Bloom filter: "no" is certain, "maybe" is
/// wrong for about one id in a hundred. A run looks up the rows of a batch's traces; nearly all of
/// them are new and have none, and each such lookup still read a random page of a table keyed by
/// random ids: 13.7 s of a 10 M-span rebuild's 59 s (docs/benchmarks.md, "Trace rows looked up
/// only when they may exist"). Only a "maybe" is looked up now.
/// It holds for one process that is the only writer of its file, which is what
/// <see cref="PendingTraces"/> keeps it with: filled from the table when that state starts afresh,
/// then told of every row a run writes before the commit that writes it (an id told and never
/// committed, or a row retention deleted, is only a wasted lookup). It is sized for twice the rows
/// found, and read again from the table, twice as large, once that many were added
/// (<see cref="IsFull"/>, at the next run's start: a single run that adds far more, a large first
/// rebuild, errs more often until it ends), so its error stays near its design. Ten bits a trace: 1.2 MiB per
/// million traces with rows, at most 40 MiB (<see cref="MaximumCapacity"/>); a larger table's
/// filter errs more often, and costs those lookups again, no more.
/// Blocked: every bit of an id lies in one 64-byte block, so a lookup touches one cache line.
/// </summary>
internal sealed class StoredTraceIds
{
    private const int BitsPerId = 10;
    private const int BitsPerIdInBlock = 6;
    private const int WordsPerBlock = 8;
    private const long MinimumCapacity = 1 << 20;

    /// <summary>Ids sized for at most (40 MiB).</summary>
    public const long MaximumCapacity = 32L << 20;

    private readonly ulong[] _words;
    private readonly ulong _blocks;

    private StoredTraceIds(long capacity)
    {
        Capacity = capacity;
        _blocks = (ulong)Math.Max(1, capacity * BitsPerId / (WordsPerBlock * 64));
        _words = new ulong[checked((long)_blocks * WordsPerBlock)];
    }

    /// <summary>The ids it was sized for: past them its error grows, and it is read again.</summary>
    public long Capacity { get; }

    /// <summary>Ids added (counting repeats).</summary>
    public long Added { get; private set; }

    /// <summary>True once more ids were added than it was sized for, and a larger one may be read.</summary>
    public bool IsFull => Added > Capacity && Capacity < MaximumCapacity;

    /// <summary>A filter holding <paramref name="ids"/> (a trace table's, <paramref name="count"/> of them), with room for as many again.</summary>
    public static StoredTraceIds Of(long count, IEnumerable<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var filter = new StoredTraceIds(Math.Clamp(2 * count, MinimumCapacity, MaximumCapacity));
        foreach (var id in ids)
        {
            filter.Add(id);
        }
        return filter;
    }

    /// <summary>A filter of exactly <paramref name="ids"/>, one run's (<see cref="TraceRuns"/>): never added to after.</summary>
    public static StoredTraceIds ForRun(IReadOnlyCollection<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var filter = new StoredTraceIds(Math.Max(64, ids.Count));
        foreach (var id in ids)
        {
            filter.Add(id);
        }
        return filter;
    }

    public void Add(long traceIdLow)
    {
        var (block, bits) = Place(traceIdLow);
        for (var i = 0; i < BitsPerIdInBlock; i++)
        {
            var bit = (int)(bits & 511);
            _words[block + (bit >> 6)] |= 1UL << (bit & 63);
            bits >>= 9;
        }
        Added++;
    }

    /// <summary>False when <paramref name="traceIdLow"/> certainly has no row.</summary>
    public bool MayContain(long traceIdLow)
    {
        var (block, bits) = Place(traceIdLow);
        for (var i = 0; i < BitsPerIdInBlock; i++)
        {
            var bit = (int)(bits & 511);
            if ((_words[block + (bit >> 6)] & (1UL << (bit & 63))) == 0)
            {
                return false;
            }
            bits >>= 9;
        }
        return true;
    }

    /// <summary>
    /// The id's block (its first word) and 54 bits for its six bit positions in it (nine bits each),
    /// from two rounds of SplitMix64: ids need not be random (some tracers count), the hashes are.
    /// </summary>
    private (long Block, ulong Bits) Place(long traceIdLow)
    {
        var first = Mix(unchecked((ulong)traceIdLow));
        var block = (long)(((first >> 32) * _blocks) >> 32);
        return (block * WordsPerBlock, Mix(first));
    }

    private static ulong Mix(ulong value)
    {
        unchecked
        {
            var z = value + 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
