using DepMap.Core.Linking;

namespace DepMap.Core.Statistics;

/// <summary>
/// One node of the graph, keyed by name: the requests it served (calls where it is the callee) and
/// how many failed, their latency (server side where the node reported it, else as its callers saw
/// it, which is all there is for a database or an uninstrumented peer), the calls it made, and its
/// calls whose peer could not be named.
/// </summary>
public sealed class NodeStatistics
{
    private const byte FormatVersion = 1;

    public NodeStatistics(string name, NodeType type = NodeType.Service, string? @namespace = null)
    {
        Name = name;
        Type = type;
        Namespace = @namespace;
    }

    public string Name { get; }

    /// <summary>
    /// When calls disagree, the most specific wins: a name seen reporting spans is a service, one
    /// seen with database attributes is a database, then broker, user, external.
    /// </summary>
    public NodeType Type { get; private set; }

    /// <summary><c>service.namespace</c>; the ordinal-least seen, so merge order does not matter.</summary>
    public string? Namespace { get; private set; }
    public long RequestsServed { get; private set; }
    public long ErrorCount { get; private set; }
    public double ErrorRate => RequestsServed == 0 ? 0 : (double)ErrorCount / RequestsServed;
    public LatencySketch Latency { get; private set; } = new();
    public long CallsMade { get; private set; }
    public long UnnamedCalls { get; private set; }
    public long UnnamedCallErrors { get; private set; }

    public bool IsEmpty => RequestsServed == 0 && CallsMade == 0 && UnnamedCalls == 0;

    internal void Describe(NodeType type, string? @namespace)
    {
        if (Specificity(type) > Specificity(Type))
        {
            Type = type;
        }
        Namespace = Namespace is null ? @namespace
            : @namespace is null ? Namespace
            : string.CompareOrdinal(@namespace, Namespace) < 0 ? @namespace : Namespace;
    }

    internal void AddServed(Call call)
    {
        RequestsServed++;
        ErrorCount += call.Failed ? 1 : 0;
        if ((call.ServerDurationNano ?? call.ClientDurationNano) is { } latency)
        {
            Latency.Add(latency);
        }
    }

    internal void AddMade() => CallsMade++;

    internal void AddUnnamed(UnnamedCall call)
    {
        UnnamedCalls++;
        UnnamedCallErrors += call.Failed ? 1 : 0;
    }

    internal void Merge(NodeStatistics other)
    {
        Describe(other.Type, other.Namespace);
        RequestsServed = checked(RequestsServed + other.RequestsServed);
        ErrorCount = checked(ErrorCount + other.ErrorCount);
        Latency.Merge(other.Latency);
        CallsMade = checked(CallsMade + other.CallsMade);
        UnnamedCalls = checked(UnnamedCalls + other.UnnamedCalls);
        UnnamedCallErrors = checked(UnnamedCallErrors + other.UnnamedCallErrors);
    }

    internal bool Contains(NodeStatistics other) =>
        other.RequestsServed <= RequestsServed
        && other.ErrorCount <= ErrorCount
        && other.CallsMade <= CallsMade
        && other.UnnamedCalls <= UnnamedCalls
        && other.UnnamedCallErrors <= UnnamedCallErrors
        && Latency.Contains(other.Latency);

    internal void Subtract(NodeStatistics other)
    {
        RequestsServed -= other.RequestsServed;
        ErrorCount -= other.ErrorCount;
        Latency.Subtract(other.Latency);
        CallsMade -= other.CallsMade;
        UnnamedCalls -= other.UnnamedCalls;
        UnnamedCallErrors -= other.UnnamedCallErrors;
    }

    internal NodeStatistics Clone()
    {
        var copy = new NodeStatistics(Name, Type, Namespace);
        copy.Merge(this);
        return copy;
    }

    public byte[] Serialize()
    {
        var writer = CompactWriter.Rent();
        WriteTo(writer);
        return writer.ToArrayAndReturn();
    }

    internal void WriteTo(CompactWriter writer)
    {
        writer.WriteByte(FormatVersion);
        writer.WriteString(Name);
        writer.WriteByte((byte)Type);
        writer.WriteString(Namespace);
        writer.WriteVarint((ulong)RequestsServed);
        writer.WriteVarint((ulong)ErrorCount);
        Latency.WriteTo(writer);
        writer.WriteVarint((ulong)CallsMade);
        writer.WriteVarint((ulong)UnnamedCalls);
        writer.WriteVarint((ulong)UnnamedCallErrors);
    }

    /// <summary>The name in <see cref="Serialize"/>'s bytes, read without the rest.</summary>
    internal static string ReadName(ReadOnlySpan<byte> bytes)
    {
        var reader = new CompactReader(bytes, "node statistics");
        return ReadName(ref reader);
    }

    private static string ReadName(ref CompactReader reader)
    {
        var version = reader.ReadByte();
        if (version != FormatVersion)
        {
            throw reader.Corrupt($"unknown format version {version}", 0);
        }
        return reader.ReadString() ?? throw reader.Corrupt("no name");
    }

    /// <summary>Reads <see cref="Serialize"/>'s bytes; anything else is a <see cref="FormatException"/> naming the offset.</summary>
    public static NodeStatistics Deserialize(ReadOnlySpan<byte> bytes)
    {
        var reader = new CompactReader(bytes, "node statistics");
        var name = ReadName(ref reader);
        var typeAt = reader.Position;
        var type = reader.ReadByte();
        if (!Enum.IsDefined((NodeType)type))
        {
            throw reader.Corrupt($"unknown node type {type}", typeAt);
        }
        var node = new NodeStatistics(name, (NodeType)type, reader.ReadString());
        var countsAt = reader.Position;
        node.RequestsServed = reader.ReadCount();
        node.ErrorCount = reader.ReadCount();
        node.Latency = LatencySketch.ReadFrom(ref reader);
        node.CallsMade = reader.ReadCount();
        node.UnnamedCalls = reader.ReadCount();
        node.UnnamedCallErrors = reader.ReadCount();
        if (node.ErrorCount > node.RequestsServed || node.UnnamedCallErrors > node.UnnamedCalls)
        {
            throw reader.Corrupt("more errors than calls", countsAt);
        }
        reader.ExpectEnd();
        return node;
    }

    private static int Specificity(NodeType type) => type switch
    {
        NodeType.Service => 4,
        NodeType.Database => 3,
        NodeType.Broker => 2,
        NodeType.User => 1,
        _ => 0,
    };
}
