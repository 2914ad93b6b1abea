namespace DepMap.Core.Statistics;

/// <summary>
/// One operation on an edge (the server span's name, else the client's): its calls, errors and a
/// latency sketch (server side where reported, else client side) for its p99.
/// </summary>
public sealed class OperationStatistics
{
    internal OperationStatistics(string name) => Name = name;

    public string Name { get; }
    public long CallCount { get; internal set; }
    public long ErrorCount { get; internal set; }
    public LatencySketch Latency { get; private set; } = new();

    internal OperationStatistics Clone(string? name = null)
    {
        var copy = new OperationStatistics(name ?? Name) { CallCount = CallCount, ErrorCount = ErrorCount };
        copy.Latency.Merge(Latency);
        return copy;
    }

    internal void Merge(OperationStatistics other)
    {
        CallCount = checked(CallCount + other.CallCount);
        ErrorCount = checked(ErrorCount + other.ErrorCount);
        Latency.Merge(other.Latency);
    }

    internal bool Covers(OperationStatistics wanted) =>
        wanted.CallCount <= CallCount && wanted.ErrorCount <= ErrorCount && Latency.Contains(wanted.Latency);

    /// <summary>Takes as much of <paramref name="wanted"/> as this holds out of both; true when nothing is left to take.</summary>
    internal bool TakeFrom(OperationStatistics wanted)
    {
        var calls = Math.Min(CallCount, wanted.CallCount);
        var errors = Math.Min(ErrorCount, wanted.ErrorCount);
        CallCount -= calls;
        ErrorCount -= errors;
        wanted.CallCount -= calls;
        wanted.ErrorCount -= errors;
        wanted.Latency = Latency.SubtractAtMost(wanted.Latency);
        if (CallCount == 0)
        {
            // A call count at zero while errors or latencies remain can only follow an approximate
            // split; an operation without calls is dropped rather than shown with phantom data.
            ErrorCount = 0;
            Latency = new LatencySketch();
        }
        return wanted.CallCount == 0 && wanted.ErrorCount == 0 && wanted.Latency.IsEmpty;
    }

    internal void WriteTo(CompactWriter writer)
    {
        writer.WriteString(Name);
        writer.WriteVarint((ulong)CallCount);
        writer.WriteVarint((ulong)ErrorCount);
        Latency.WriteTo(writer);
    }

    internal static OperationStatistics ReadFrom(ref CompactReader reader)
    {
        var at = reader.Position;
        var name = reader.ReadString() ?? throw reader.Corrupt("operation without a name", at);
        var op = new OperationStatistics(name) { CallCount = reader.ReadCount(), ErrorCount = reader.ReadCount() };
        if (op.ErrorCount > op.CallCount)
        {
            throw reader.Corrupt("operation has more errors than calls", at);
        }
        op.Latency = LatencySketch.ReadFrom(ref reader);
        return op;
    }
}
