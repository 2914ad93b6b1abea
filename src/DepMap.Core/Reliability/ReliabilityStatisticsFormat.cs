using System.Text;

namespace DepMap.Core.Reliability;

/// <summary>
/// The binary form of <see cref="ReliabilityStatistics"/>: a version byte, a sorted table of every
/// name used once, then services and edges in name order referring to the table by index. Numbers
/// are LEB128 varints (counts are small), so a bucket of a few dozen services stays around a kilobyte.
/// </summary>
internal static class ReliabilityStatisticsFormat
{
    private const byte Version = 1;

    // Each thread keeps its stream, writer and tables: a rebuild writes the blob of every bucket it
    // touches once per batch, hours again and again, and a stream grown anew each time was most of
    // the cost; the name table, its dictionary and the edge array were a fiftieth of the allocation.
    [ThreadStatic]
    private static Scratch? t_scratch;

    private sealed class Scratch
    {
        public BinaryWriter Writer { get; } = new(new MemoryStream(), Encoding.UTF8, leaveOpen: false);
        public Dictionary<string, int> Index { get; } = new(StringComparer.Ordinal);
        public List<(int Name, long Count)> Entries { get; } = [];
        public string[] Names { get; set; } = [];
        public (long Key, EdgeFacts Facts)[] Edges { get; set; } = [];

        // A bucket of thousands of services would keep its tables on the thread for good: let them go.
        public bool Small => ((MemoryStream)Writer.BaseStream).Capacity <= 1 << 20 && Names.Length <= 1 << 14 && Edges.Length <= 1 << 14;

        public static T[] Sized<T>(T[] array, int length) => array.Length >= length ? array : new T[Math.Max(length, array.Length * 2)];
    }

    /// <summary>
    /// The distinct names sorted once (ordinal), then each list sorted as an array: the same bytes as
    /// sorted sets and LINQ's OrderBy (every key is unique, so a stable and an unstable sort agree) at
    /// a fraction of the allocation. Names are told apart before they are sorted, and edges are sorted
    /// by their names' indices, which follow the names' order: a rebuild writes an hour's blob once per
    /// batch, and sorting every use of a name by string comparison was a twentieth of its CPU.
    /// </summary>
    public static byte[] Write(ReliabilityStatistics statistics)
    {
        // Taken off the thread while in use, so a write inside a write (none today) gets its own; it is
        // put back only emptied, and a write that throws drops it.
        var scratch = t_scratch ?? new Scratch();
        t_scratch = null;
        var index = scratch.Index;
        foreach (var (name, totals) in statistics.Services)
        {
            index.TryAdd(name, 0);
            foreach (var entry in totals.EntryPoints.Named)
            {
                index.TryAdd(entry.Key, 0);
            }
        }
        foreach (var edge in statistics.Edges.Keys)
        {
            index.TryAdd(edge.Caller, 0);
            index.TryAdd(edge.Callee, 0);
        }
        scratch.Names = Scratch.Sized(scratch.Names, index.Count);
        var names = scratch.Names.AsSpan(0, index.Count);
        index.Keys.CopyTo(scratch.Names, 0);
        names.Sort(StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            index[names[i]] = i;
        }

        var writer = scratch.Writer;
        var stream = (MemoryStream)writer.BaseStream;
        stream.SetLength(0);
        writer.Write(Version);
        writer.Write7BitEncodedInt(names.Length);
        foreach (var name in names)
        {
            writer.Write(name);
        }
        writer.Write7BitEncodedInt64(statistics.Traces);
        writer.Write7BitEncodedInt(statistics.Services.Count);
        var entries = scratch.Entries;
        foreach (var (name, totals) in statistics.Services)
        {
            writer.Write7BitEncodedInt(index[name]);
            WriteFacts(writer, totals.Facts);
            writer.Write7BitEncodedInt64(totals.EndToEndNano);
            writer.Write7BitEncodedInt64(totals.Traces);
            entries.Clear();
            foreach (var (entry, count) in totals.EntryPoints.Named)
            {
                entries.Add((index[entry], count));
            }
            entries.Sort(static (a, b) => a.Name.CompareTo(b.Name));
            writer.Write7BitEncodedInt(entries.Count);
            foreach (var (entry, count) in entries)
            {
                writer.Write7BitEncodedInt(entry);
                writer.Write7BitEncodedInt64(count);
            }
            writer.Write7BitEncodedInt64(totals.EntryPoints.Other);
        }
        // (caller's index, callee's index) as one number sorts as the names do.
        scratch.Edges = Scratch.Sized(scratch.Edges, statistics.Edges.Count);
        var edges = scratch.Edges.AsSpan(0, statistics.Edges.Count);
        var e = 0;
        foreach (var (edge, facts) in statistics.Edges)
        {
            edges[e++] = (((long)index[edge.Caller] << 32) | (uint)index[edge.Callee], facts);
        }
        edges.Sort(static (a, b) => a.Key.CompareTo(b.Key));
        writer.Write7BitEncodedInt(edges.Length);
        foreach (var (key, facts) in edges)
        {
            writer.Write7BitEncodedInt((int)(key >> 32));
            writer.Write7BitEncodedInt((int)(uint)key);
            writer.Write7BitEncodedInt64(facts.Calls);
            writer.Write7BitEncodedInt64(facts.Failed);
            writer.Write7BitEncodedInt64(facts.FailedDownstream);
            writer.Write7BitEncodedInt64(facts.FailedAtClient);
        }
        writer.Flush();
        var bytes = stream.ToArray();
        // The names are the buckets' own strings; the thread need not keep them alive.
        names.Clear();
        index.Clear();
        if (scratch.Small)
        {
            t_scratch = scratch;
        }
        return bytes;
    }

    public static ReliabilityStatistics Read(ReadOnlySpan<byte> bytes)
    {
        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            var version = reader.ReadByte();
            if (version != Version)
            {
                throw new FormatException($"reliability statistics: unknown version {version} at byte 0, expected {Version}");
            }
            var names = new string[Count(reader, stream)];
            for (var i = 0; i < names.Length; i++)
            {
                names[i] = reader.ReadString();
            }
            var statistics = new ReliabilityStatistics();
            statistics.SetTraces(reader.Read7BitEncodedInt64());
            var services = Count(reader, stream);
            for (var i = 0; i < services; i++)
            {
                var totals = statistics.Totals(Name(reader, stream, names));
                totals.Facts = ReadFacts(reader);
                totals.EndToEndNano = reader.Read7BitEncodedInt64();
                totals.Traces = reader.Read7BitEncodedInt64();
                var entries = Count(reader, stream);
                for (var j = 0; j < entries; j++)
                {
                    totals.EntryPoints.Add(Name(reader, stream, names), reader.Read7BitEncodedInt64());
                }
                totals.EntryPoints.AddOther(reader.Read7BitEncodedInt64());
            }
            var edges = Count(reader, stream);
            for (var i = 0; i < edges; i++)
            {
                var edge = new ServiceEdge(Name(reader, stream, names), Name(reader, stream, names));
                statistics.AddEdge(edge, new EdgeFacts(
                    reader.Read7BitEncodedInt64(), reader.Read7BitEncodedInt64(),
                    reader.Read7BitEncodedInt64(), reader.Read7BitEncodedInt64()));
            }
            if (stream.Position != stream.Length)
            {
                throw new FormatException($"reliability statistics: {stream.Length - stream.Position} trailing bytes at byte {stream.Position}");
            }
            return statistics;
        }
        catch (EndOfStreamException)
        {
            throw new FormatException($"reliability statistics: truncated at byte {stream.Position} of {stream.Length}");
        }
    }

    private static void WriteFacts(BinaryWriter writer, ServiceFacts facts)
    {
        writer.Write7BitEncodedInt64(facts.Requests);
        writer.Write7BitEncodedInt64(facts.Errors);
        writer.Write7BitEncodedInt64(facts.Originated);
        writer.Write7BitEncodedInt64(facts.PassedOn);
        writer.Write7BitEncodedInt64(facts.SelfTimeNano);
    }

    private static ServiceFacts ReadFacts(BinaryReader reader) => new(
        reader.Read7BitEncodedInt64(), reader.Read7BitEncodedInt64(), reader.Read7BitEncodedInt64(),
        reader.Read7BitEncodedInt64(), reader.Read7BitEncodedInt64());

    private static int Count(BinaryReader reader, Stream stream)
    {
        var position = stream.Position;
        var count = reader.Read7BitEncodedInt();
        // Every entry takes at least one byte: a larger count is corrupt, not a reason to allocate.
        if (count < 0 || count > stream.Length - stream.Position)
        {
            throw new FormatException($"reliability statistics: count {count} at byte {position} exceeds the remaining bytes");
        }
        return count;
    }

    private static string Name(BinaryReader reader, Stream stream, string[] names)
    {
        var position = stream.Position;
        var index = reader.Read7BitEncodedInt();
        if (index < 0 || index >= names.Length)
        {
            throw new FormatException($"reliability statistics: name index {index} at byte {position} is outside the table of {names.Length}");
        }
        return names[index];
    }
}
