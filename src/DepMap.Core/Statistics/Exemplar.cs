using DepMap.Core.Spans;

namespace DepMap.Core.Statistics;

/// <summary>
/// A trace worth opening: <see cref="ValueNano"/> is the call's duration for the slowest call and
/// its start (Unix nanoseconds) for the latest failure. Ties go to the larger trace id, so the pick
/// does not depend on the order traces arrive in.
/// </summary>
public readonly record struct Exemplar(TraceId TraceId, long ValueNano)
{
    internal static Exemplar? Larger(Exemplar? current, Exemplar candidate)
    {
        if (current is not { } c)
        {
            return candidate;
        }
        if (candidate.ValueNano != c.ValueNano)
        {
            return candidate.ValueNano > c.ValueNano ? candidate : c;
        }
        var candidateId = ((UInt128)candidate.TraceId.High << 64) | candidate.TraceId.Low;
        var currentId = ((UInt128)c.TraceId.High << 64) | c.TraceId.Low;
        return candidateId > currentId ? candidate : c;
    }

    internal static void Write(CompactWriter writer, Exemplar? exemplar)
    {
        if (exemplar is not { } e)
        {
            writer.WriteByte(0);
            return;
        }
        writer.WriteByte(1);
        writer.WriteVarint(e.TraceId.High);
        writer.WriteVarint(e.TraceId.Low);
        writer.WriteSigned(e.ValueNano);
    }

    internal static Exemplar? Read(ref CompactReader reader)
    {
        var at = reader.Position;
        return reader.ReadByte() switch
        {
            0 => null,
            1 => new Exemplar(new TraceId(reader.ReadVarint(), reader.ReadVarint()), reader.ReadSigned()),
            var flag => throw reader.Corrupt($"exemplar flag {flag}", at),
        };
    }
}
