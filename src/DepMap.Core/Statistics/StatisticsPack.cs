using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace DepMap.Core.Statistics;

/// <summary>
/// A bucket's edges, or its nodes, as one blob: each one's own bytes (<see cref="EdgeStatistics.Serialize"/>,
/// <see cref="NodeStatistics.Serialize"/>) after their length as four bytes, big-endian, in no
/// particular order. One blob a bucket rather than a row an edge: a rebuild wrote five million rows,
/// and their upserts were a quarter of its CPU, where a bucket's blob is written as one row.
/// Four bytes, not a varint, so that SQL alone can build a pack from per-edge rows (the migration
/// from them does) and a reader can skip an entry without reading it.
/// A bucket's Zipkin links are packed the same way (<see cref="WriteLinks"/>), each entry in fixed
/// widths SQL can write too: the parent's and the child's UTF-8 after their lengths, then the
/// calls and the errors as eight bytes each, all big-endian.
/// </summary>
public static class StatisticsPack
{
    private const int LengthBytes = 4;

    /// <summary>Writes every edge of <paramref name="statistics"/> to <paramref name="output"/>.</summary>
    public static void WriteEdges(GraphStatistics statistics, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        Write(statistics.Edges.Values, static (edge, writer) => edge.WriteTo(writer), output);
    }

    /// <summary>Writes every node of <paramref name="statistics"/> to <paramref name="output"/>.</summary>
    public static void WriteNodes(GraphStatistics statistics, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        Write(statistics.Nodes.Values, static (node, writer) => node.WriteTo(writer), output);
    }

    /// <summary>Merges every edge of <paramref name="edges"/> and every node of <paramref name="nodes"/> into <paramref name="statistics"/>.</summary>
    public static void MergeInto(GraphStatistics statistics, ReadOnlySpan<byte> edges, ReadOnlySpan<byte> nodes)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        for (var at = 0; Next(edges, ref at, "edge") is var (start, length);)
        {
            statistics.Merge(EdgeStatistics.Deserialize(edges.Slice(start, length)));
        }
        for (var at = 0; Next(nodes, ref at, "node") is var (start, length);)
        {
            statistics.Merge(NodeStatistics.Deserialize(nodes.Slice(start, length)));
        }
    }

    /// <summary>The edges of <paramref name="edges"/> from <paramref name="caller"/> to <paramref name="callee"/>, one per connection type; only they are read whole.</summary>
    public static List<EdgeStatistics> EdgesBetween(ReadOnlySpan<byte> edges, string caller, string callee)
    {
        var found = new List<EdgeStatistics>();
        for (var at = 0; Next(edges, ref at, "edge") is var (start, length);)
        {
            var entry = edges.Slice(start, length);
            var key = EdgeStatistics.ReadKey(entry);
            if (string.Equals(key.Caller, caller, StringComparison.Ordinal) && string.Equals(key.Callee, callee, StringComparison.Ordinal))
            {
                found.Add(EdgeStatistics.Deserialize(entry));
            }
        }
        return found;
    }

    /// <summary>The node named <paramref name="name"/> in <paramref name="nodes"/>, or null; only it is read whole.</summary>
    public static NodeStatistics? Node(ReadOnlySpan<byte> nodes, string name)
    {
        for (var at = 0; Next(nodes, ref at, "node") is var (start, length);)
        {
            var entry = nodes.Slice(start, length);
            if (string.Equals(NodeStatistics.ReadName(entry), name, StringComparison.Ordinal))
            {
                return NodeStatistics.Deserialize(entry);
            }
        }
        return null;
    }

    /// <summary>Every edge of <paramref name="edges"/>, read whole.</summary>
    public static List<EdgeStatistics> ReadEdges(ReadOnlySpan<byte> edges)
    {
        var all = new List<EdgeStatistics>();
        for (var at = 0; Next(edges, ref at, "edge") is var (start, length);)
        {
            all.Add(EdgeStatistics.Deserialize(edges.Slice(start, length)));
        }
        return all;
    }

    /// <summary>Every node of <paramref name="nodes"/>, read whole.</summary>
    public static List<NodeStatistics> ReadNodes(ReadOnlySpan<byte> nodes)
    {
        var all = new List<NodeStatistics>();
        for (var at = 0; Next(nodes, ref at, "node") is var (start, length);)
        {
            all.Add(NodeStatistics.Deserialize(nodes.Slice(start, length)));
        }
        return all;
    }

    /// <summary>Writes every Zipkin link of <paramref name="links"/> (calls and errors per parent and child) to <paramref name="output"/>.</summary>
    public static void WriteLinks(IReadOnlyDictionary<(string Parent, string Child), (long Calls, long Errors)> links, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(links);
        ArgumentNullException.ThrowIfNull(output);
        foreach (var ((parent, child), (calls, errors)) in links)
        {
            var parentBytes = Encoding.UTF8.GetByteCount(parent);
            var childBytes = Encoding.UTF8.GetByteCount(child);
            var length = LengthBytes + parentBytes + LengthBytes + childBytes + (2 * sizeof(long));
            var span = output.GetSpan(LengthBytes + length);
            BinaryPrimitives.WriteInt32BigEndian(span, length);
            var at = LengthBytes;
            BinaryPrimitives.WriteInt32BigEndian(span[at..], parentBytes);
            at += LengthBytes + Encoding.UTF8.GetBytes(parent, span[(at + LengthBytes)..]);
            BinaryPrimitives.WriteInt32BigEndian(span[at..], childBytes);
            at += LengthBytes + Encoding.UTF8.GetBytes(child, span[(at + LengthBytes)..]);
            BinaryPrimitives.WriteInt64BigEndian(span[at..], calls);
            BinaryPrimitives.WriteInt64BigEndian(span[(at + sizeof(long))..], errors);
            output.Advance(LengthBytes + length);
        }
    }

    /// <summary>Adds every Zipkin link of <paramref name="links"/> to <paramref name="into"/>'s calls and errors for the same parent and child.</summary>
    public static void AddLinks(ReadOnlySpan<byte> links, Dictionary<(string Parent, string Child), (long Calls, long Errors)> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        for (var at = 0; Next(links, ref at, "Zipkin link") is var (start, length);)
        {
            var entry = links.Slice(start, length);
            var parent = LinkName(entry, 0, start, "parent", out var next);
            var child = LinkName(entry, next, start, "child", out next);
            if (entry.Length - next != 2 * sizeof(long))
            {
                throw new FormatException($"packed Zipkin link statistics: the entry at byte {start - LengthBytes} has {entry.Length - next} bytes for its calls and errors, not {2 * sizeof(long)}");
            }
            var calls = BinaryPrimitives.ReadInt64BigEndian(entry[next..]);
            var errors = BinaryPrimitives.ReadInt64BigEndian(entry[(next + sizeof(long))..]);
            if (calls < 0 || errors < 0 || errors > calls)
            {
                throw new FormatException($"packed Zipkin link statistics: the entry at byte {start - LengthBytes} counts {calls} calls and {errors} errors");
            }
            ref var sum = ref CollectionsMarshal.GetValueRefOrAddDefault(into, (parent, child), out _);
            sum = (checked(sum.Calls + calls), checked(sum.Errors + errors));
        }
    }

    /// <summary>A link entry's name at <paramref name="at"/>: its length, then its UTF-8.</summary>
    private static string LinkName(ReadOnlySpan<byte> entry, int at, int entryStart, string what, out int next)
    {
        if (entry.Length - at < LengthBytes)
        {
            throw new FormatException($"packed Zipkin link statistics: the entry at byte {entryStart - LengthBytes} ends before its {what}'s length");
        }
        var length = BinaryPrimitives.ReadInt32BigEndian(entry[at..]);
        if (length < 0 || length > entry.Length - at - LengthBytes)
        {
            throw new FormatException($"packed Zipkin link statistics: the entry at byte {entryStart - LengthBytes} claims {length} bytes for its {what}, {entry.Length - at - LengthBytes} remain");
        }
        next = at + LengthBytes + length;
        return Encoding.UTF8.GetString(entry.Slice(at + LengthBytes, length));
    }

    /// <summary>Each of <paramref name="entries"/>, written by <paramref name="write"/> into this thread's writer, after its length.</summary>
    private static void Write<T>(IEnumerable<T> entries, Action<T, CompactWriter> write, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (var item in entries)
        {
            var writer = CompactWriter.Rent();
            write(item, writer);
            var entry = writer.Written;
            var span = output.GetSpan(LengthBytes + entry.Length);
            BinaryPrimitives.WriteInt32BigEndian(span, entry.Length);
            entry.CopyTo(span[LengthBytes..]);
            output.Advance(LengthBytes + entry.Length);
            writer.Return();
        }
    }

    /// <summary>The next entry's place after <paramref name="at"/>, which moves past it; null at the end.</summary>
    private static (int Start, int Length)? Next(ReadOnlySpan<byte> pack, ref int at, string what)
    {
        if (at == pack.Length)
        {
            return null;
        }
        if (pack.Length - at < LengthBytes)
        {
            throw new FormatException($"packed {what} statistics: {pack.Length - at} bytes at byte {at} are too few for an entry's length");
        }
        var length = BinaryPrimitives.ReadInt32BigEndian(pack[at..]);
        if (length <= 0 || length > pack.Length - at - LengthBytes)
        {
            throw new FormatException($"packed {what} statistics: the entry at byte {at} claims {length} bytes, {pack.Length - at - LengthBytes} remain");
        }
        var start = at + LengthBytes;
        at = start + length;
        return (start, length);
    }
}
