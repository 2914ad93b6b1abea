using System.Buffers.Binary;

namespace DepMap.Storage.Aggregation;

/// <summary>
/// A page of a linked trace rows' run (<see cref="TraceRuns"/>): up to <see cref="MaxRows"/> rows of
/// consecutive traces in one blob, so that a run of a million traces is a few thousand SQLite rows
/// instead of a million. Writing a row each and copying them row by row to merge runs took about half
/// of a fresh run's time at 100,000 spans/s (docs/benchmarks.md, "Trace runs in pages").
/// Little-endian, fixed widths, so a lookup reads a trace's row without decoding the others:
/// <code>
/// i32 n | n × i64 trace id (ascending) | n × i32 end of the row's data | data
/// a row's data: i32 span count | i32 linked span count | i64 last arrival | i64 linked at (i64.MinValue: none) | its spans (TraceSpans' format)
/// </code>
/// </summary>
internal static class TraceRunPage
{
    /// <summary>Rows a page holds at most.</summary>
    public const int MaxRows = 128;

    /// <summary>A page is closed once its rows' data reaches this many bytes (a larger row is a page of its own).</summary>
    public const int MaxDataBytes = 16 * 1024;

    private const int RowHeaderBytes = 24;

    /// <summary>Builds pages of rows added in ascending trace order.</summary>
    internal sealed class Builder
    {
        private readonly long[] _ids = new long[MaxRows];
        private readonly int[] _ends = new int[MaxRows];
        private byte[] _data = new byte[MaxDataBytes + 1024];
        private int _length;

        public int Count { get; private set; }

        public long FirstId => _ids[0];

        /// <summary>The latest last arrival of the page's rows: retention deletes a page once it is older than the cutoff.</summary>
        public long LastArrivalUnixMs { get; private set; } = long.MinValue;

        public bool IsFull => Count == MaxRows || _length >= MaxDataBytes;

        public void Add(TraceRow row) =>
            Add(row.TraceIdLow, row.SpanCount, row.LinkedSpanCount, row.LastArrivalUnixMs, row.LinkedAtUnixMs, row.Spans);

        public void Add(long traceIdLow, int spanCount, int linkedSpanCount, long lastArrivalUnixMs, long? linkedAtUnixMs, ReadOnlySpan<byte> spans)
        {
            if (IsFull)
            {
                throw new InvalidOperationException("The page is full: write it and clear it first.");
            }
            if (Count > 0 && traceIdLow <= _ids[Count - 1])
            {
                throw new ArgumentException($"Trace {traceIdLow} comes after {_ids[Count - 1]}: a page's rows are in ascending trace order.", nameof(traceIdLow));
            }
            var needed = _length + RowHeaderBytes + spans.Length;
            if (needed > _data.Length)
            {
                Array.Resize(ref _data, Math.Max(needed, _data.Length * 2));
            }
            var row = _data.AsSpan(_length);
            BinaryPrimitives.WriteInt32LittleEndian(row, spanCount);
            BinaryPrimitives.WriteInt32LittleEndian(row[4..], linkedSpanCount);
            BinaryPrimitives.WriteInt64LittleEndian(row[8..], lastArrivalUnixMs);
            BinaryPrimitives.WriteInt64LittleEndian(row[16..], linkedAtUnixMs ?? long.MinValue);
            spans.CopyTo(row[RowHeaderBytes..]);
            _length = needed;
            _ids[Count] = traceIdLow;
            _ends[Count] = _length;
            Count++;
            LastArrivalUnixMs = Math.Max(LastArrivalUnixMs, lastArrivalUnixMs);
        }

        /// <summary>Copies row <paramref name="index"/> of <paramref name="page"/> as it is.</summary>
        public void Add(Reader page, int index)
        {
            var data = page.DataOf(index);
            Add(page.IdAt(index), BinaryPrimitives.ReadInt32LittleEndian(data), BinaryPrimitives.ReadInt32LittleEndian(data[4..]),
                BinaryPrimitives.ReadInt64LittleEndian(data[8..]), LinkedAt(data), data[RowHeaderBytes..]);
        }

        public byte[] ToArray()
        {
            var page = new byte[4 + Count * 12 + _length];
            BinaryPrimitives.WriteInt32LittleEndian(page, Count);
            for (var i = 0; i < Count; i++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(page.AsSpan(4 + i * 8), _ids[i]);
                BinaryPrimitives.WriteInt32LittleEndian(page.AsSpan(4 + Count * 8 + i * 4), _ends[i]);
            }
            _data.AsSpan(0, _length).CopyTo(page.AsSpan(4 + Count * 12));
            return page;
        }

        public void Clear()
        {
            Count = 0;
            _length = 0;
            LastArrivalUnixMs = long.MinValue;
        }
    }

    /// <summary>A stored page, checked whole when read: a page that lies about its lengths or order is refused, naming the byte.</summary>
    internal readonly struct Reader
    {
        private readonly byte[] _page;
        private readonly int _dataStart;

        public Reader(byte[] page)
        {
            ArgumentNullException.ThrowIfNull(page);
            _page = page;
            if (page.Length < 4)
            {
                throw new FormatException($"A trace run page of {page.Length} bytes has no row count.");
            }
            Count = BinaryPrimitives.ReadInt32LittleEndian(page);
            if (Count < 1 || Count > MaxRows || 4 + (long)Count * 12 > page.Length)
            {
                throw new FormatException($"A trace run page of {page.Length} bytes says it holds {Count} rows (byte 0).");
            }
            _dataStart = 4 + Count * 12;
            var previousEnd = 0;
            for (var i = 0; i < Count; i++)
            {
                var end = EndAt(i);
                if (end < previousEnd + RowHeaderBytes || _dataStart + (long)end > page.Length)
                {
                    throw new FormatException($"Row {i} of a trace run page ends at {end}, outside its data (byte {4 + Count * 8 + i * 4}).");
                }
                if (i > 0 && IdAt(i) <= IdAt(i - 1))
                {
                    throw new FormatException($"Row {i} of a trace run page is out of trace order (byte {4 + i * 8}).");
                }
                previousEnd = end;
            }
            if (_dataStart + previousEnd != page.Length)
            {
                throw new FormatException($"A trace run page has {page.Length - _dataStart - previousEnd} bytes after its last row (byte {_dataStart + previousEnd}).");
            }
        }

        public int Count { get; }

        public long IdAt(int index) => BinaryPrimitives.ReadInt64LittleEndian(_page.AsSpan(4 + index * 8));

        /// <summary>The row of <paramref name="traceIdLow"/>'s index, or a negative number when the page does not hold it.</summary>
        public int IndexOf(long traceIdLow)
        {
            var (low, high) = (0, Count - 1);
            while (low <= high)
            {
                var middle = (low + high) >>> 1;
                var id = IdAt(middle);
                if (id == traceIdLow)
                {
                    return middle;
                }
                (low, high) = id < traceIdLow ? (middle + 1, high) : (low, middle - 1);
            }
            return -1;
        }

        public TraceRow RowAt(int index)
        {
            var data = DataOf(index);
            return new TraceRow
            {
                TraceIdLow = IdAt(index),
                SpanCount = BinaryPrimitives.ReadInt32LittleEndian(data),
                LinkedSpanCount = BinaryPrimitives.ReadInt32LittleEndian(data[4..]),
                LastArrivalUnixMs = BinaryPrimitives.ReadInt64LittleEndian(data[8..]),
                LinkedAtUnixMs = LinkedAt(data),
                Spans = data[RowHeaderBytes..].ToArray(),
                Pending = false,
            };
        }

        internal ReadOnlySpan<byte> DataOf(int index)
        {
            var start = index == 0 ? 0 : EndAt(index - 1);
            return _page.AsSpan(_dataStart + start, EndAt(index) - start);
        }

        private int EndAt(int index) => BinaryPrimitives.ReadInt32LittleEndian(_page.AsSpan(4 + Count * 8 + index * 4));
    }

    private static long? LinkedAt(ReadOnlySpan<byte> data) =>
        BinaryPrimitives.ReadInt64LittleEndian(data[16..]) is var linkedAt && linkedAt != long.MinValue ? linkedAt : null;
}
