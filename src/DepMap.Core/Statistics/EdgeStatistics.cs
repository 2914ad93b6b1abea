using DepMap.Core.Linking;

namespace DepMap.Core.Statistics;

/// <summary>
/// Everything known about one edge: calls, failures (a call fails when either side failed, counted
/// once), client- and server-side latency, queue delay for messaging, when it was seen (Unix
/// nanoseconds taken from the calls: Core has no clock), exemplar traces and the busiest operations.
/// Counts and sketches add and subtract exactly. <see cref="FirstSeen"/>/<see cref="LastSeen"/> are a
/// hull that subtraction does not shrink, and an exemplar whose trace is subtracted is dropped
/// (the re-linked trace brings its own).
/// </summary>
public sealed class EdgeStatistics
{
    /// <summary>The name under which operations beyond the busiest <see cref="MaxOperations"/> are summed.</summary>
    public const string OtherOperationName = "other";
    public const int MaxOperations = OperationTable.MaxNamed;
    private const byte FormatVersion = 1;

    private static readonly LatencySketch NoLatencies = new();

    private OperationTable _operations = new();
    // Made on first use: most edges lack a side (a database call has no server span, an RPC no
    // queue), and every edge of every bucket held in memory would carry the empty ones.
    private LatencySketch? _clientLatency;
    private LatencySketch? _serverLatency;
    private LatencySketch? _queueDelay;

    public EdgeStatistics(EdgeKey key) => Key = key;

    public EdgeKey Key { get; }
    public long CallCount { get; private set; }
    public long ErrorCount { get; private set; }
    public double ErrorRate => CallCount == 0 ? 0 : (double)ErrorCount / CallCount;
    public LatencySketch ClientLatency => _clientLatency ??= new();
    public LatencySketch ServerLatency => _serverLatency ??= new();
    public LatencySketch QueueDelay => _queueDelay ??= new();
    public long? FirstSeen { get; private set; }
    public long? LastSeen { get; private set; }
    /// <summary>The slowest call (client-side duration, else server-side).</summary>
    public Exemplar? SlowestCall { get; private set; }
    /// <summary>The failure that started last.</summary>
    public Exemplar? LatestFailure { get; private set; }
    /// <summary>Messaging edges: the broker and destination; the ordinal-least seen, so merging order does not matter.</summary>
    public string? Broker { get; private set; }
    public string? Destination { get; private set; }

    /// <summary>The named operations, busiest first; at most <see cref="MaxOperations"/>.</summary>
    public IReadOnlyList<OperationStatistics> Operations => _operations.Named;

    /// <summary>Operations beyond the busiest <see cref="MaxOperations"/>, summed; null when there are none.</summary>
    public OperationStatistics? OtherOperations => _operations.Other;

    public bool IsEmpty => CallCount == 0;

    internal int NamedOperationCount => _operations.NamedCount;

    internal IEnumerable<string> NamedOperations => _operations.Names;

    internal void Add(Call call)
    {
        CallCount++;
        if (call.Failed)
        {
            ErrorCount++;
            LatestFailure = Exemplar.Larger(LatestFailure, new Exemplar(call.TraceId, call.StartUnixNano));
        }
        if (call.ClientDurationNano is { } client)
        {
            ClientLatency.Add(client);
        }
        if (call.ServerDurationNano is { } server)
        {
            ServerLatency.Add(server);
        }
        if (call.QueueDelayNano is { } queue)
        {
            QueueDelay.Add(queue);
        }
        if ((call.ClientDurationNano ?? call.ServerDurationNano) is { } slowest)
        {
            SlowestCall = Exemplar.Larger(SlowestCall, new Exemplar(call.TraceId, slowest));
        }
        FirstSeen = Math.Min(FirstSeen ?? long.MaxValue, call.StartUnixNano);
        LastSeen = Math.Max(LastSeen ?? long.MinValue, call.StartUnixNano);
        Broker = Least(Broker, call.Broker);
        Destination = Least(Destination, call.Destination);
        _operations.Add(call.Operation ?? "", call.Failed, call.ServerDurationNano ?? call.ClientDurationNano);
    }

    internal void Merge(EdgeStatistics other)
    {
        CallCount = checked(CallCount + other.CallCount);
        ErrorCount = checked(ErrorCount + other.ErrorCount);
        MergeInto(ref _clientLatency, other._clientLatency);
        MergeInto(ref _serverLatency, other._serverLatency);
        MergeInto(ref _queueDelay, other._queueDelay);
        FirstSeen = MinOrNull(FirstSeen, other.FirstSeen);
        LastSeen = MaxOrNull(LastSeen, other.LastSeen);
        SlowestCall = other.SlowestCall is { } slowest ? Exemplar.Larger(SlowestCall, slowest) : SlowestCall;
        LatestFailure = other.LatestFailure is { } failure ? Exemplar.Larger(LatestFailure, failure) : LatestFailure;
        Broker = Least(Broker, other.Broker);
        Destination = Least(Destination, other.Destination);
        _operations.Merge(other._operations);
    }

    /// <summary>True when subtracting <paramref name="other"/> cannot take any count or bucket below zero.</summary>
    internal bool Contains(EdgeStatistics other) =>
        other.CallCount <= CallCount
        && other.ErrorCount <= ErrorCount
        && Covers(_clientLatency, other._clientLatency)
        && Covers(_serverLatency, other._serverLatency)
        && Covers(_queueDelay, other._queueDelay);

    /// <summary>Takes <paramref name="other"/> back out; the caller has checked <see cref="Contains"/>.</summary>
    internal void Subtract(EdgeStatistics other)
    {
        CallCount -= other.CallCount;
        ErrorCount -= other.ErrorCount;
        SubtractFrom(_clientLatency, other._clientLatency);
        SubtractFrom(_serverLatency, other._serverLatency);
        SubtractFrom(_queueDelay, other._queueDelay);
        if (SlowestCall?.TraceId == other.SlowestCall?.TraceId)
        {
            SlowestCall = null;
        }
        if (LatestFailure?.TraceId == other.LatestFailure?.TraceId)
        {
            LatestFailure = null;
        }
        _operations.Subtract(other._operations);
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
        writer.WriteString(Key.Caller);
        writer.WriteString(Key.Callee);
        writer.WriteByte((byte)Key.ConnectionType);
        writer.WriteVarint((ulong)CallCount);
        writer.WriteVarint((ulong)ErrorCount);
        (_clientLatency ?? NoLatencies).WriteTo(writer);
        (_serverLatency ?? NoLatencies).WriteTo(writer);
        (_queueDelay ?? NoLatencies).WriteTo(writer);
        WriteOptional(writer, FirstSeen);
        WriteOptional(writer, LastSeen);
        Exemplar.Write(writer, SlowestCall);
        Exemplar.Write(writer, LatestFailure);
        writer.WriteString(Broker);
        writer.WriteString(Destination);
        _operations.WriteTo(writer);
    }

    /// <summary>The key of <see cref="Serialize"/>'s bytes, read without the rest: a series looks for one edge among a bucket's.</summary>
    internal static EdgeKey ReadKey(ReadOnlySpan<byte> bytes)
    {
        var reader = new CompactReader(bytes, "edge statistics");
        return ReadKey(ref reader);
    }

    private static EdgeKey ReadKey(ref CompactReader reader)
    {
        var version = reader.ReadByte();
        if (version != FormatVersion)
        {
            throw reader.Corrupt($"unknown format version {version}", 0);
        }
        var caller = reader.ReadString() ?? throw reader.Corrupt("no caller");
        var callee = reader.ReadString() ?? throw reader.Corrupt("no callee");
        var typeAt = reader.Position;
        var type = reader.ReadByte();
        if (!Enum.IsDefined((ConnectionType)type))
        {
            throw reader.Corrupt($"unknown connection type {type}", typeAt);
        }
        return new EdgeKey(caller, callee, (ConnectionType)type);
    }

    /// <summary>Reads <see cref="Serialize"/>'s bytes (key included); anything else is a <see cref="FormatException"/> naming the offset.</summary>
    public static EdgeStatistics Deserialize(ReadOnlySpan<byte> bytes)
    {
        var reader = new CompactReader(bytes, "edge statistics");
        var key = ReadKey(ref reader);
        var countsAt = reader.Position;
        var edge = new EdgeStatistics(key)
        {
            CallCount = reader.ReadCount(),
            ErrorCount = reader.ReadCount(),
        };
        if (edge.ErrorCount > edge.CallCount)
        {
            throw reader.Corrupt("more errors than calls", countsAt);
        }
        edge._clientLatency = LatencySketch.ReadFrom(ref reader);
        edge._serverLatency = LatencySketch.ReadFrom(ref reader);
        edge._queueDelay = LatencySketch.ReadFrom(ref reader);
        edge.FirstSeen = ReadOptional(ref reader);
        edge.LastSeen = ReadOptional(ref reader);
        edge.SlowestCall = Exemplar.Read(ref reader);
        edge.LatestFailure = Exemplar.Read(ref reader);
        edge.Broker = reader.ReadString();
        edge.Destination = reader.ReadString();
        edge._operations = OperationTable.ReadFrom(ref reader);
        reader.ExpectEnd();
        return edge;
    }

    /// <summary>
    /// A copy without <see cref="FirstSeen"/>, <see cref="LastSeen"/> and the exemplars: what a
    /// snapshot keeps, since these change with every window even when the traffic does not.
    /// </summary>
    public EdgeStatistics WithoutTimesAndExemplars()
    {
        var copy = Clone();
        copy.FirstSeen = null;
        copy.LastSeen = null;
        copy.SlowestCall = null;
        copy.LatestFailure = null;
        return copy;
    }

    internal EdgeStatistics Clone()
    {
        var copy = new EdgeStatistics(Key);
        copy.Merge(this);
        return copy;
    }

    private static void WriteOptional(CompactWriter writer, long? value)
    {
        writer.WriteByte(value is null ? (byte)0 : (byte)1);
        if (value is { } v)
        {
            writer.WriteSigned(v);
        }
    }

    private static long? ReadOptional(ref CompactReader reader)
    {
        var at = reader.Position;
        return reader.ReadByte() switch
        {
            0 => null,
            1 => reader.ReadSigned(),
            var flag => throw reader.Corrupt($"optional flag {flag}", at),
        };
    }

    private static string? Least(string? current, string? candidate) =>
        current is null ? candidate
        : candidate is null ? current
        : string.CompareOrdinal(candidate, current) < 0 ? candidate : current;

    private static void MergeInto(ref LatencySketch? mine, LatencySketch? theirs)
    {
        if (theirs is { IsEmpty: false })
        {
            (mine ??= new LatencySketch()).Merge(theirs);
        }
    }

    private static bool Covers(LatencySketch? mine, LatencySketch? theirs) =>
        theirs is null || theirs.IsEmpty || (mine is not null && mine.Contains(theirs));

    private static void SubtractFrom(LatencySketch? mine, LatencySketch? theirs)
    {
        if (theirs is { IsEmpty: false })
        {
            mine!.Subtract(theirs);
        }
    }

    private static long? MinOrNull(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    private static long? MaxOrNull(long? a, long? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);
}
