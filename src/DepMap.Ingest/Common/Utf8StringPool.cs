using System.Text;

namespace DepMap.Ingest.Common;

/// <summary>
/// Turns UTF-8 bytes into strings, handing back the same instance for the same bytes within one
/// batch: a batch repeats a few service, operation and database names hundreds of times, and one
/// string each keeps both the decoder's allocations and the stored spans small.
/// </summary>
internal sealed class Utf8StringPool
{
    // Long values are rarely repeated (SQL text, URLs); pooling them would only grow the table.
    private const int MaxPooledLength = 96;
    private const int MaxEntries = 4096;

    private Entry[] _entries = new Entry[128];
    private int _count;

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxPooledLength)
        {
            return Encoding.UTF8.GetString(utf8);
        }
        var hash = Hash(utf8);
        var mask = _entries.Length - 1;
        var slot = hash & mask;
        while (true)
        {
            ref var entry = ref _entries[slot];
            if (entry.Key is null)
            {
                var value = Encoding.UTF8.GetString(utf8);
                if (_count < MaxEntries)
                {
                    entry = new Entry(hash, utf8.ToArray(), value);
                    if (++_count * 2 > _entries.Length)
                    {
                        Grow();
                    }
                }
                return value;
            }
            if (entry.Hash == hash && utf8.SequenceEqual(entry.Key))
            {
                return entry.Value;
            }
            slot = (slot + 1) & mask;
        }
    }

    private void Grow()
    {
        var old = _entries;
        _entries = new Entry[old.Length * 2];
        var mask = _entries.Length - 1;
        foreach (var entry in old)
        {
            if (entry.Key is null)
            {
                continue;
            }
            var slot = entry.Hash & mask;
            while (_entries[slot].Key is not null)
            {
                slot = (slot + 1) & mask;
            }
            _entries[slot] = entry;
        }
    }

    private static int Hash(ReadOnlySpan<byte> utf8)
    {
        // FNV-1a: names are short, and a per-batch table needs no protection from chosen collisions
        // beyond the entry cap.
        var hash = 2166136261u;
        foreach (var b in utf8)
        {
            hash = (hash ^ b) * 16777619u;
        }
        return (int)(hash & 0x7FFFFFFF);
    }

    private readonly record struct Entry(int Hash, byte[]? Key, string Value);
}
