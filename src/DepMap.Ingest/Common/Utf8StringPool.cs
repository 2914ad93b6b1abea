using System.Buffers.Binary;
using System.Text;

namespace DepMap.Ingest.Common;

/// <summary>
/// Turns UTF-8 bytes into strings, handing back the same instance for the same bytes within one
/// batch: a batch repeats a few service, operation and database names hundreds of times, and one
/// string each keeps both the decoder's allocations and the stored spans small.
/// Every string a decoder keeps comes from here, so here is DepMap's one rule on encoding: bytes
/// that are not valid UTF-8 make the payload malformed (JSON and protobuf strings are UTF-8 by
/// their specifications), never a name silently altered with replacement characters.
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
            return Decode(utf8);
        }
        var hash = Hash(utf8);
        var mask = _entries.Length - 1;
        var slot = hash & mask;
        while (true)
        {
            ref var entry = ref _entries[slot];
            if (entry.Key is null)
            {
                var value = Decode(utf8);
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

    /// <summary>The message of the decode error for bytes that are not UTF-8; JSON decoders add the path.</summary>
    public const string InvalidUtf8 = "invalid UTF-8 in a string";

    // Only bytes seen for the first time are checked: a pool hit equals bytes already checked.
    private static string Decode(ReadOnlySpan<byte> utf8) =>
        System.Text.Unicode.Utf8.IsValid(utf8) ? Encoding.UTF8.GetString(utf8) : throw new SpanDecodeException(InvalidUtf8 + " (names and attribute values must be UTF-8)");

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
        // The length and the first and last eight bytes tell names apart well enough: equal hashes
        // are confirmed byte by byte, and the per-batch table needs no protection from chosen
        // collisions beyond its entry cap.
        ulong hash;
        if (utf8.Length >= 8)
        {
            hash = (BinaryPrimitives.ReadUInt64LittleEndian(utf8) * 0x9E3779B97F4A7C15UL)
                ^ BinaryPrimitives.ReadUInt64LittleEndian(utf8[^8..]) ^ (ulong)utf8.Length;
        }
        else
        {
            hash = (ulong)utf8.Length;
            foreach (var b in utf8)
            {
                hash = (hash << 8) | b;
            }
        }
        hash *= 0xC2B2AE3D27D4EB4FUL;
        return (int)((hash >> 33) & 0x7FFFFFFF);
    }

    private readonly record struct Entry(int Hash, byte[]? Key, string Value);
}
