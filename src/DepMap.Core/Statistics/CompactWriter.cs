using System.Text;

namespace DepMap.Core.Statistics;

/// <summary>
/// Appends unsigned LEB128 varints (protobuf's encoding) and length-prefixed UTF-8 strings: small
/// counts and bucket deltas take one byte, which is what keeps a stored sketch well under 2 KB.
/// </summary>
internal sealed class CompactWriter
{
    // A rebuild serialises every edge and node of every minute it writes (millions of them): a
    // writer and its buffer each were a twentieth of the run's allocation, so each thread keeps one.
    [ThreadStatic]
    private static CompactWriter? t_cached;

    private byte[] _buffer = new byte[256];
    private int _length;

    /// <summary>An empty writer: this thread's own when it is free; give it back with <see cref="ToArrayAndReturn"/>.</summary>
    public static CompactWriter Rent()
    {
        var writer = t_cached ?? new CompactWriter();
        t_cached = null;
        writer._length = 0;
        return writer;
    }

    /// <summary>The bytes written; the writer goes back to this thread for the next <see cref="Rent"/>, unless it grew large.</summary>
    public byte[] ToArrayAndReturn()
    {
        var bytes = ToArray();
        Return();
        return bytes;
    }

    /// <summary>The bytes written so far; valid until the writer is written to again or given back.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>Gives the writer back to this thread without copying its bytes out, as <see cref="ToArrayAndReturn"/> does.</summary>
    public void Return()
    {
        if (_buffer.Length <= 64 * 1024)
        {
            t_cached = this;
        }
    }

    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    public void WriteVarint(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            _buffer[_length++] = (byte)(value | 0x80);
            value >>= 7;
        }
        _buffer[_length++] = (byte)value;
    }

    public void WriteVarint(UInt128 value)
    {
        Ensure(19);
        while (value >= 0x80)
        {
            _buffer[_length++] = (byte)((byte)value | 0x80);
            value >>= 7;
        }
        _buffer[_length++] = (byte)value;
    }

    /// <summary>Zig-zag, as protobuf's sint64: small negative numbers stay short.</summary>
    public void WriteSigned(long value) => WriteVarint((ulong)((value << 1) ^ (value >> 63)));

    public void WriteString(string? value)
    {
        // 0 means null; otherwise the UTF-8 length plus one, then the bytes.
        if (value is null)
        {
            WriteVarint(0UL);
            return;
        }
        var byteCount = Encoding.UTF8.GetByteCount(value);
        WriteVarint((ulong)byteCount + 1);
        Ensure(byteCount);
        _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
    }

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    private void Ensure(int extra)
    {
        if (_length + extra > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + extra));
        }
    }
}
