using System.Buffers.Binary;
using System.Text;

namespace DepMap.LoadTest;

/// <summary>
/// An encoded batch whose trace ids are rewritten on every send, so a long run stores distinct
/// traces (the aggregation links each once) instead of the same few batches again and again. Only
/// the low 64 bits change: they are what traces are grouped by. They become (trace number in the
/// batch, send number), unique for every send of every template in a run.
/// </summary>
internal sealed class PayloadTemplate
{
    private readonly byte[] _bytes;
    private readonly (int Offset, uint Trace)[] _ids;
    private readonly bool _hex;

    public PayloadTemplate(byte[] bytes, IReadOnlyList<byte[]> traceIds, bool hex)
    {
        _bytes = bytes;
        _hex = hex;
        var ids = new List<(int, uint)>();
        for (var t = 0; t < traceIds.Count; t++)
        {
            var needle = hex ? Encoding.ASCII.GetBytes(Convert.ToHexStringLower(traceIds[t])) : traceIds[t];
            for (var at = 0; at <= bytes.Length - needle.Length;)
            {
                var found = bytes.AsSpan(at).IndexOf(needle);
                if (found < 0)
                {
                    break;
                }
                ids.Add((at + found + needle.Length / 2, (uint)t + 1));
                at += found + needle.Length;
            }
        }
        _ids = [.. ids];
    }

    public int Length => _bytes.Length;

    /// <summary>How many trace ids the template rewrites (every span carries one).</summary>
    public int IdCount => _ids.Length;

    /// <summary>Copies the batch into <paramref name="buffer"/> with every trace id's low half set for send <paramref name="send"/>.</summary>
    public void WriteTo(byte[] buffer, uint send)
    {
        _bytes.CopyTo(buffer, 0);
        Span<byte> low = stackalloc byte[8];
        foreach (var (offset, trace) in _ids)
        {
            BinaryPrimitives.WriteUInt64BigEndian(low, ((ulong)trace << 32) | send);
            if (_hex)
            {
                Convert.TryToHexStringLower(low, buffer.AsSpan(offset, 16), out _);
            }
            else
            {
                low.CopyTo(buffer.AsSpan(offset, 8));
            }
        }
    }
}
