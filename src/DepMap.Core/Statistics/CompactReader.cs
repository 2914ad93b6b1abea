using System.Text;

namespace DepMap.Core.Statistics;

/// <summary>Reads what <see cref="CompactWriter"/> wrote; every malformed input is a <see cref="FormatException"/> naming the byte offset.</summary>
internal ref struct CompactReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly string _what;

    public CompactReader(ReadOnlySpan<byte> bytes, string what)
    {
        _bytes = bytes;
        _what = what;
    }

    public int Position { get; private set; }

    public readonly bool AtEnd => Position == _bytes.Length;

    public byte ReadByte()
    {
        if (Position >= _bytes.Length)
        {
            throw Corrupt("unexpected end of data");
        }
        return _bytes[Position++];
    }

    public ulong ReadVarint()
    {
        var start = Position;
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte();
            if (shift == 63 && b > 1)
            {
                throw Corrupt("varint overflows 64 bits", start);
            }
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }
        throw Corrupt("varint longer than 10 bytes", start);
    }

    public UInt128 ReadVarint128()
    {
        var start = Position;
        UInt128 result = 0;
        for (var shift = 0; shift < 128; shift += 7)
        {
            var b = ReadByte();
            if (shift == 126 && b > 3)
            {
                throw Corrupt("varint overflows 128 bits", start);
            }
            result |= (UInt128)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }
        throw Corrupt("varint longer than 19 bytes", start);
    }

    public long ReadCount()
    {
        var start = Position;
        var value = ReadVarint();
        return value > long.MaxValue ? throw Corrupt("count exceeds Int64", start) : (long)value;
    }

    public long ReadSigned()
    {
        var raw = ReadVarint();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    public string? ReadString()
    {
        var start = Position;
        var prefix = ReadVarint();
        if (prefix == 0)
        {
            return null;
        }
        var length = prefix - 1;
        if (length > (ulong)(_bytes.Length - Position))
        {
            throw Corrupt("string length runs past the end", start);
        }
        var slice = _bytes.Slice(Position, (int)length);
        Position += (int)length;
        try
        {
            return StrictUtf8.GetString(slice);
        }
        catch (DecoderFallbackException)
        {
            throw Corrupt("string is not valid UTF-8", start);
        }
    }

    public readonly void ExpectEnd()
    {
        if (!AtEnd)
        {
            throw Corrupt($"{_bytes.Length - Position} unexpected trailing bytes");
        }
    }

    public readonly FormatException Corrupt(string reason) => Corrupt(reason, Position);

    public readonly FormatException Corrupt(string reason, int offset) =>
        new($"Corrupt {_what}: {reason} at byte {offset}.");
}
