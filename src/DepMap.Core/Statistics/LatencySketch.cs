using System.Numerics;

namespace DepMap.Core.Statistics;

/// <summary>
/// A DDSketch-style latency distribution over nanosecond durations: values fall into logarithmic
/// buckets whose bounds grow by <c>γ = (1 + α) / (1 - α)</c>, so every quantile is within
/// <see cref="RelativeAccuracy"/> of the exact value however skewed the data. Bucket counts add and
/// subtract exactly, which is what lets the server take a re-linked trace's old calls back out.
/// Zero and negative durations (clock skew) count in a separate zero bucket.
/// </summary>
/// <remarks>
/// Chosen over HdrHistogram: its serialised form covers the whole configured range and it cannot
/// subtract; DDSketch's sparse buckets delta-encode to about one to three bytes each.
/// </remarks>
public sealed class LatencySketch
{
    /// <summary>α: below the 1% the product promises, leaving room for rounding at bucket edges.</summary>
    public const double RelativeAccuracy = 0.008;

    // Buckets depend on α; a new α needs a new version byte, or merged sketches would mix scales.
    private const byte FormatVersion = 1;
    private static readonly double Gamma = (1 + RelativeAccuracy) / (1 - RelativeAccuracy);
    private static readonly double LogGamma = Math.Log(Gamma);
    internal static readonly int MaxIndex = IndexOf(long.MaxValue);

    // Most sketches (one call's delta, a quiet edge) hold a handful of buckets spread over hundreds of
    // indices, so they start as sorted (index, count) pairs and turn dense only past this many.
    private const int SparseLimit = 16;

    // (index, count) pairs side by side in one array: a sketch is one object and one array, which
    // matters for the thousands of edges a bucket holds while the garbage collector walks them.
    // A single pair is kept in the object itself (no array): most edges of a minute see one or two
    // calls, and a pair array for each of their sketches was about 1% of a rebuild's allocation.
    private long[] _pairs = [];
    private int _used;
    private long _oneCount;
    private long[]? _counts;
    // Where the counts start when dense; the one pair's index when sparse without an array.
    private int _offset;
    private long _zeroCount;
    // The sum's halves: an Int128 field is aligned to 16 bytes, which left the object 8 bytes of padding.
    private ulong _sumHigh;
    private ulong _sumLow;

    public long Count { get; private set; }

    /// <summary>The exact sum of the recorded durations in nanoseconds (128-bit: years of hour buckets do not overflow).</summary>
    public Int128 Sum
    {
        get => new(_sumHigh, _sumLow);
        private set => (_sumHigh, _sumLow) = ((ulong)(value >> 64), (ulong)value);
    }

    public bool IsEmpty => Count == 0;

    /// <summary>Mean in nanoseconds; NaN when empty.</summary>
    public double Mean => Count == 0 ? double.NaN : (double)Sum / Count;

    /// <summary>The lowest bucket's value (within <see cref="RelativeAccuracy"/>), so it stays right after a subtraction; NaN when empty.</summary>
    public double Min => Count == 0 ? double.NaN : _zeroCount > 0 ? 0 : ValueOf(FirstIndex());

    /// <summary>The highest bucket's value (within <see cref="RelativeAccuracy"/>); NaN when empty.</summary>
    public double Max => Count == 0 ? double.NaN : LastIndex() is var last && last != int.MinValue ? ValueOf(last) : 0;

    public void Add(long valueNano, long count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0)
        {
            return;
        }
        if (valueNano <= 0)
        {
            _zeroCount = checked(_zeroCount + count);
        }
        else
        {
            AddAt(IndexOf(valueNano), count);
            Sum += (Int128)valueNano * count;
        }
        Count = checked(Count + count);
    }

    /// <summary>Takes back values added with <see cref="Add"/>; throws, changing nothing, if they are not there.</summary>
    public void Subtract(long valueNano, long count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0)
        {
            return;
        }
        if (valueNano <= 0)
        {
            if (_zeroCount < count)
            {
                throw NotAdded();
            }
            _zeroCount -= count;
        }
        else
        {
            var index = IndexOf(valueNano);
            if (CountAt(index) < count)
            {
                throw NotAdded();
            }
            AddAt(index, -count);
            Sum -= (Int128)valueNano * count;
        }
        Count -= count;
        Compact();
    }

    public void Merge(LatencySketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Count == 0)
        {
            return;
        }
        if (other._counts is { } theirs)
        {
            var (first, last) = (other.FirstIndex(), other.LastIndex());
            if (first <= last)
            {
                ToDense(first, last);
                EnsureRange(first, last);
                AddCounts(_counts!.AsSpan(first - _offset, last - first + 1), theirs.AsSpan(first - other._offset, last - first + 1));
            }
        }
        else
        {
            for (var b = 0; b < other._used; b++)
            {
                if (other.ValueAt(b) > 0)
                {
                    AddAt(other.KeyAt(b), other.ValueAt(b));
                }
            }
        }
        _zeroCount = checked(_zeroCount + other._zeroCount);
        Count = checked(Count + other.Count);
        Sum += other.Sum;
    }

    /// <summary>
    /// Takes <paramref name="other"/>'s values back out. It must be part of what was added: a bucket
    /// that would go negative means the caller subtracts something it never added, so nothing changes
    /// and an <see cref="InvalidOperationException"/> says so.
    /// </summary>
    public void Subtract(LatencySketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!Contains(other))
        {
            throw NotAdded();
        }
        var remainder = SubtractAtMost(other);
        System.Diagnostics.Debug.Assert(remainder.IsEmpty, "Contains was checked");
    }

    /// <summary>
    /// Removes as much of <paramref name="other"/> as this sketch holds, bucket by bucket, and returns
    /// what could not be removed. The sum is split by the share of the count removed, so it is exact
    /// only when everything or nothing is removed (used for operations folded into "other").
    /// </summary>
    internal LatencySketch SubtractAtMost(LatencySketch other)
    {
        var remainder = new LatencySketch();
        if (other.Count == 0)
        {
            return remainder;
        }
        long removed = 0;
        var takeZero = Math.Min(_zeroCount, other._zeroCount);
        _zeroCount -= takeZero;
        removed += takeZero;
        remainder._zeroCount = other._zeroCount - takeZero;
        var cursor = 0;
        while (other.NextBucket(ref cursor, out var i, out var wanted))
        {
            var take = Math.Min(CountAt(i), wanted);
            if (take > 0)
            {
                AddAt(i, -take);
                removed += take;
            }
            if (wanted > take)
            {
                remainder.AddAt(i, wanted - take);
            }
        }
        remainder.Count = other.Count - removed;
        var removedSum = removed == other.Count ? other.Sum : other.Sum * removed / other.Count;
        removedSum = removedSum > Sum ? Sum : removedSum;
        Count -= removed;
        Sum = Count == 0 ? 0 : Sum - removedSum;
        remainder.Sum = remainder.Count == 0 ? 0 : other.Sum - removedSum;
        Compact();
        return remainder;
    }

    /// <summary>
    /// The value at rank <c>q·(Count−1)</c> (DDSketch's definition: the sorted value at index
    /// <c>⌊q·(n−1)⌋</c>) in nanoseconds, within <see cref="RelativeAccuracy"/>; NaN when empty.
    /// </summary>
    public double Quantile(double q)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(q, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(q, 1);
        if (Count == 0)
        {
            return double.NaN;
        }
        var rank = q * (Count - 1);
        double cumulative = _zeroCount;
        if (cumulative > rank)
        {
            return 0;
        }
        var cursor = 0;
        while (NextBucket(ref cursor, out var index, out var count))
        {
            cumulative += count;
            if (cumulative > rank)
            {
                return ValueOf(index);
            }
        }
        return Max;
    }

    public LatencySketch Clone()
    {
        var copy = new LatencySketch();
        copy.Merge(this);
        return copy;
    }

    /// <summary>Version byte, zero count, sum, bucket count, then (index delta, count) pairs: all varints.</summary>
    public byte[] Serialize()
    {
        var writer = CompactWriter.Rent();
        WriteTo(writer);
        return writer.ToArrayAndReturn();
    }

    /// <summary>Reads <see cref="Serialize"/>'s bytes; anything else is a <see cref="FormatException"/> naming the offset.</summary>
    public static LatencySketch Deserialize(ReadOnlySpan<byte> bytes)
    {
        var reader = new CompactReader(bytes, "latency sketch");
        var sketch = ReadFrom(ref reader);
        reader.ExpectEnd();
        return sketch;
    }

    internal void WriteTo(CompactWriter writer)
    {
        writer.WriteByte(FormatVersion);
        writer.WriteVarint((ulong)_zeroCount);
        writer.WriteVarint((UInt128)Sum);
        // Counts are never negative, so the non-empty buckets are those not zero: counted vectorised,
        // since an hour's counts span hundreds of mostly empty buckets and a rebuild writes millions.
        var nonEmpty = 0;
        if (_counts is { } counts)
        {
            nonEmpty = counts.Length - counts.AsSpan().Count(0L);
        }
        else
        {
            for (var b = 0; b < _used; b++)
            {
                nonEmpty += ValueAt(b) > 0 ? 1 : 0;
            }
        }
        writer.WriteVarint((ulong)nonEmpty);
        var previous = -1;
        if (_counts is { } dense)
        {
            // Slot by slot: an hour's counts are mostly filled between their ends, and a search for
            // the next filled slot per bucket cost more than the comparisons it saved.
            for (var slot = 0; slot < dense.Length; slot++)
            {
                if (dense[slot] != 0)
                {
                    writer.WriteVarint((ulong)(slot + _offset - previous));
                    writer.WriteVarint((ulong)dense[slot]);
                    previous = slot + _offset;
                }
            }
            return;
        }
        var cursor = 0;
        while (NextBucket(ref cursor, out var index, out var count))
        {
            writer.WriteVarint((ulong)(index - previous));
            writer.WriteVarint((ulong)count);
            previous = index;
        }
    }

    internal static LatencySketch ReadFrom(ref CompactReader reader)
    {
        var start = reader.Position;
        var version = reader.ReadByte();
        if (version != FormatVersion)
        {
            throw reader.Corrupt($"unknown format version {version}", start);
        }
        var sketch = new LatencySketch { _zeroCount = reader.ReadCount() };
        var sumOffset = reader.Position;
        var sum = reader.ReadVarint128();
        var bucketsOffset = reader.Position;
        var buckets = reader.ReadVarint();
        if (buckets > (ulong)MaxIndex + 1)
        {
            throw reader.Corrupt($"{buckets} buckets exceed the {MaxIndex + 1} possible", bucketsOffset);
        }
        var indices = new int[(int)buckets];
        var counts = new long[(int)buckets];
        long previous = -1;
        long total = sketch._zeroCount;
        for (var b = 0; b < indices.Length; b++)
        {
            var at = reader.Position;
            var delta = reader.ReadVarint();
            if (delta == 0 || delta > (ulong)(MaxIndex - previous))
            {
                throw reader.Corrupt($"bucket index delta {delta} out of range", at);
            }
            previous += (long)delta;
            at = reader.Position;
            var count = reader.ReadCount();
            if (count == 0)
            {
                throw reader.Corrupt("empty bucket", at);
            }
            total = total > long.MaxValue - count ? throw reader.Corrupt("total count overflows Int64", at) : total + count;
            (indices[b], counts[b]) = ((int)previous, count);
        }
        if (sum > (UInt128)Int128.MaxValue || (total == sketch._zeroCount && sum != 0))
        {
            throw reader.Corrupt("sum inconsistent with the buckets", sumOffset);
        }
        if (indices.Length == 1)
        {
            (sketch._offset, sketch._oneCount, sketch._used) = (indices[0], counts[0], 1);
        }
        else if (indices.Length <= SparseLimit)
        {
            sketch._pairs = new long[indices.Length * 2];
            for (var b = 0; b < indices.Length; b++)
            {
                (sketch._pairs[2 * b], sketch._pairs[(2 * b) + 1]) = (indices[b], counts[b]);
            }
            sketch._used = indices.Length;
        }
        else
        {
            sketch.ToDense();
            sketch.EnsureRange(indices[0], indices[^1], exact: true);
            for (var b = 0; b < indices.Length; b++)
            {
                sketch._counts![indices[b] - sketch._offset] = counts[b];
            }
        }
        sketch.Count = total;
        sketch.Sum = (Int128)sum;
        return sketch;
    }

    internal static int IndexOf(long valueNano) => (int)Math.Ceiling(Math.Log(valueNano) / LogGamma);

    // The midpoint (in relative terms) of bucket (γ^(i-1), γ^i]: at most α from any value in it.
    private static double ValueOf(int index) => 2 * Math.Pow(Gamma, index) / (Gamma + 1);

    private static InvalidOperationException NotAdded() =>
        new("Cannot subtract latencies that were not added: a bucket would go negative.");

    /// <summary>True when every bucket of <paramref name="other"/> is covered, so subtracting it cannot go negative.</summary>
    internal bool Contains(LatencySketch other)
    {
        if (other._zeroCount > _zeroCount || other.Count > Count)
        {
            return false;
        }
        var cursor = 0;
        while (other.NextBucket(ref cursor, out var index, out var wanted))
        {
            if (CountAt(index) < wanted)
            {
                return false;
            }
        }
        return true;
    }

    private int FirstIndex()
    {
        var cursor = 0;
        return NextBucket(ref cursor, out var index, out _) ? index : int.MaxValue;
    }

    private int LastIndex()
    {
        if (_counts is { } counts)
        {
            var last = counts.AsSpan().LastIndexOfAnyExcept(0L);
            return last >= 0 ? last + _offset : int.MinValue;
        }
        for (var b = _used - 1; b >= 0; b--)
        {
            if (ValueAt(b) > 0)
            {
                return KeyAt(b);
            }
        }
        return int.MinValue;
    }

    /// <summary>The next non-empty bucket in ascending index order; <paramref name="cursor"/> starts at 0.</summary>
    private bool NextBucket(ref int cursor, out int index, out long count)
    {
        if (_counts is { } counts)
        {
            var skipped = cursor < counts.Length ? counts.AsSpan(cursor).IndexOfAnyExcept(0L) : -1;
            if (skipped >= 0)
            {
                cursor += skipped + 1;
                (index, count) = (cursor - 1 + _offset, counts[cursor - 1]);
                return true;
            }
            cursor = counts.Length;
        }
        else
        {
            while (cursor < _used)
            {
                var c = ValueAt(cursor++);
                if (c > 0)
                {
                    (index, count) = (KeyAt(cursor - 1), c);
                    return true;
                }
            }
        }
        (index, count) = (0, 0);
        return false;
    }

    /// <summary>
    /// Adds <paramref name="theirs"/> to <paramref name="mine"/>, a vector at a time: merging an hour's
    /// minutes adds hundreds of buckets per edge. Both are never negative, so a sum that overflows
    /// shows as a negative one.
    /// </summary>
    private static void AddCounts(Span<long> mine, ReadOnlySpan<long> theirs)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= mine.Length - Vector<long>.Count; i += Vector<long>.Count)
            {
                var sum = new Vector<long>(mine[i..]) + new Vector<long>(theirs[i..]);
                if (Vector.LessThanAny(sum, Vector<long>.Zero))
                {
                    throw new OverflowException("A latency bucket's count overflowed.");
                }
                sum.CopyTo(mine[i..]);
            }
        }
        for (; i < mine.Length; i++)
        {
            mine[i] = checked(mine[i] + theirs[i]);
        }
    }

    private long CountAt(int index)
    {
        if (_counts is { } counts)
        {
            var slot = index - _offset;
            return slot >= 0 && slot < counts.Length ? counts[slot] : 0;
        }
        var at = FindSparse(index);
        return at >= 0 ? ValueAt(at) : 0;
    }

    // A negative count only ever takes back what CountAt showed is there.
    private void AddAt(int index, long count)
    {
        if (_counts is null)
        {
            var at = FindSparse(index);
            if (at >= 0)
            {
                ref var value = ref ValueRef(at);
                value = checked(value + count);
                return;
            }
            if (_used < SparseLimit)
            {
                InsertSparse(~at, index, count);
                return;
            }
            ToDense();
        }
        EnsureRange(index, index);
        var slot = index - _offset;
        _counts![slot] = checked(_counts[slot] + count);
    }

    // One pair and no array: the pair is the object's own.
    private bool OnePair => _pairs.Length == 0;

    private int KeyAt(int pair) => OnePair ? _offset : (int)_pairs[2 * pair];

    private long ValueAt(int pair) => OnePair ? _oneCount : _pairs[(2 * pair) + 1];

    private ref long ValueRef(int pair) => ref OnePair ? ref _oneCount : ref _pairs[(2 * pair) + 1];

    /// <summary>Array.BinarySearch's contract over the pairs' indices: the pair, else the complement of where it goes.</summary>
    private int FindSparse(int index)
    {
        int low = 0, high = _used - 1;
        while (low <= high)
        {
            var middle = (int)((uint)(low + high) >> 1);
            var key = KeyAt(middle);
            if (key == index)
            {
                return middle;
            }
            if (key < index)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return ~low;
    }

    private void InsertSparse(int at, int index, long count)
    {
        if (_used == 0)
        {
            (_offset, _oneCount, _used) = (index, count, 1);
            return;
        }
        if (OnePair)
        {
            _pairs = [_offset, _oneCount, 0, 0];
            (_offset, _oneCount) = (0, 0);
        }
        if (2 * _used == _pairs.Length)
        {
            var capacity = Math.Min(SparseLimit, Math.Max(2, _pairs.Length));
            Array.Resize(ref _pairs, 2 * capacity);
        }
        // A loop, not Array.Copy: an overlapping copy within one array leaves managed code for the
        // C runtime's memmove, which costs more than moving a few pairs (and was a fifth of the
        // aggregation's samples in a profile).
        for (var i = (2 * _used) - 1; i >= 2 * at; i--)
        {
            _pairs[i + 2] = _pairs[i];
        }
        (_pairs[2 * at], _pairs[(2 * at) + 1]) = (index, count);
        _used++;
    }

    /// <summary>
    /// Turns the pairs into counts by index, covering [<paramref name="low"/>, <paramref name="high"/>]
    /// too when given: a merge that needs a wider range allocates the counts once, not twice.
    /// </summary>
    private void ToDense(int low = int.MaxValue, int high = int.MinValue)
    {
        if (_counts is not null)
        {
            return;
        }
        if (_used > 0)
        {
            low = Math.Min(low, KeyAt(0));
            high = Math.Max(high, KeyAt(_used - 1));
        }
        var (pairs, used, oneIndex, oneCount) = (_pairs, _used, _offset, _oneCount);
        (_pairs, _used, _offset, _oneCount) = ([], 0, 0, 0);
        _counts = [];
        if (low <= high)
        {
            EnsureRange(low, high);
            if (used == 1 && pairs.Length == 0)
            {
                _counts[oneIndex - _offset] = oneCount;
            }
            for (var b = 0; b < used && pairs.Length > 0; b++)
            {
                _counts[(int)pairs[2 * b] - _offset] = pairs[(2 * b) + 1];
            }
        }
    }

    /// <summary>
    /// Makes the counts cover [<paramref name="low"/>, <paramref name="high"/>]. A sketch that is
    /// being added to (an hour taking its minutes) gets a margin on each side from its first counts
    /// on, so a slowly widening distribution does not copy on every new extreme; one read back whole
    /// (<paramref name="exact"/>) only ever holds what it read.
    /// </summary>
    private void EnsureRange(int low, int high, bool exact = false)
    {
        _counts ??= [];
        if (_counts.Length == 0 && exact)
        {
            _counts = new long[high - low + 1];
            _offset = low;
            return;
        }
        if (_counts.Length == 0)
        {
            var first = Margin(low, high);
            _offset = Math.Max(0, low - first);
            _counts = new long[Math.Min(MaxIndex, high + first) - _offset + 1];
            return;
        }
        var newLow = Math.Min(low, _offset);
        var newHigh = Math.Max(high, _offset + _counts.Length - 1);
        if (newLow == _offset && newHigh == _offset + _counts.Length - 1)
        {
            return;
        }
        var margin = Margin(newLow, newHigh);
        if (newLow < _offset)
        {
            newLow = Math.Max(0, newLow - margin);
        }
        if (newHigh > _offset + _counts.Length - 1)
        {
            newHigh = Math.Min(MaxIndex, newHigh + margin);
        }
        var grown = new long[newHigh - newLow + 1];
        Array.Copy(_counts, 0, grown, _offset - newLow, _counts.Length);
        _counts = grown;
        _offset = newLow;
    }

    /// <summary>The room on each side of [<paramref name="low"/>, <paramref name="high"/>] that counts are given when they are made or grown.</summary>
    private static int Margin(int low, int high) => Math.Max(8, (high - low) / 4);

    private void Compact()
    {
        if (Count == 0)
        {
            (_pairs, _used, _offset, _oneCount) = ([], 0, 0, 0);
            _counts = null;
            _zeroCount = 0;
            Sum = 0;
        }
    }
}
