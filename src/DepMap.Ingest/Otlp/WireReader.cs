using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace DepMap.Ingest.Otlp;

/// <summary>
/// A forward reader of protobuf wire format over the whole payload. Every read is bounded by the
/// end of the message being read, so a nested length can never reach past its parent; positions
/// are absolute, so errors name the byte offset in the request body.
/// </summary>
internal ref struct WireReader(ReadOnlySpan<byte> data)
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

    private readonly ReadOnlySpan<byte> _data = data;

    public int Position;

    /// <summary>Where the last tag read starts: errors about a field point at its tag.</summary>
    public int TagStart;

    public readonly ReadOnlySpan<byte> Slice(int start, int end) => _data[start..end];

    /// <summary>Reads the next tag, or returns false at the end of the message.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool NextTag(int end, Message message, out int field, out int wireType)
    {
        if (Position >= end)
        {
            field = wireType = 0;
            return false;
        }
        TagStart = Position;
        uint tag = _data[Position];
        if (tag < 0x80)
        {
            Position++;
        }
        else
        {
            var value = ReadVarint(end, message);
            if (value > uint.MaxValue)
            {
                throw Error(TagStart, $"invalid tag {value} in {message}");
            }
            tag = (uint)value;
        }
        field = (int)(tag >> 3);
        wireType = (int)(tag & 7);
        if (field == 0)
        {
            throw Error(TagStart, $"field number 0 in {message}");
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadVarint(int end, Message message)
    {
        if (Position < end && _data[Position] < 0x80)
        {
            return _data[Position++];
        }
        return ReadVarintSlow(end, message);
    }

    private ulong ReadVarintSlow(int end, Message message)
    {
        var start = Position;
        ulong result = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (Position >= end)
            {
                throw Error(start, $"truncated varint in {message}");
            }
            var b = _data[Position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }
        throw Error(start, $"varint longer than 10 bytes in {message}");
    }

    /// <summary>Reads a length prefix and returns where the field's content ends.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReadLength(int end, Message message, int field)
    {
        var start = Position;
        var length = ReadVarint(end, message);
        if (length > (ulong)(end - Position))
        {
            throw Error(start, $"length {length} of field {FieldNames.Describe(message, field)} runs past the end of {message}");
        }
        return Position + (int)length;
    }

    public ulong ReadFixed64(int end, Message message, int field)
    {
        if (end - Position < 8)
        {
            throw Error(Position, $"fixed64 field {FieldNames.Describe(message, field)} runs past the end of {message}");
        }
        var value = BinaryPrimitives.ReadUInt64LittleEndian(_data.Slice(Position, 8));
        Position += 8;
        return value;
    }

    /// <summary>Checks a known field arrived with the wire type its declaration gives it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Expect(int wireType, int expected, Message message, int field)
    {
        if (wireType != expected)
        {
            throw WrongWireType(wireType, expected, message, field);
        }
    }

    private readonly SpanDecodeException WrongWireType(int wireType, int expected, Message message, int field) => Error(
        TagStart,
        $"field {FieldNames.Describe(message, field)} of {message} has wire type {wireType} ({WireTypeName(wireType)}), expected {expected} ({WireTypeName(expected)})");

    /// <summary>Skips a field DepMap does not read, as protobuf requires of unknown fields.</summary>
    public void Skip(int wireType, int end, Message message, int field)
    {
        switch (wireType)
        {
            case Varint:
                ReadVarint(end, message);
                break;
            case Fixed64:
                ReadFixed64(end, message, field);
                break;
            case LengthDelimited:
                Position = ReadLength(end, message, field);
                break;
            case Fixed32:
                if (end - Position < 4)
                {
                    throw Error(Position, $"fixed32 field {FieldNames.Describe(message, field)} runs past the end of {message}");
                }
                Position += 4;
                break;
            case 3 or 4:
                // Groups are a proto2 feature no OTLP message uses.
                throw Error(TagStart, $"wire type {wireType} ({WireTypeName(wireType)}) of field {FieldNames.Describe(message, field)} in {message} is not used by OTLP");
            default:
                throw Error(TagStart, $"invalid wire type {wireType} of field {FieldNames.Describe(message, field)} in {message}");
        }
    }

    public static SpanDecodeException Error(int offset, string reason) => new($"byte {offset}: {reason}");

    private static string WireTypeName(int wireType) => wireType switch
    {
        Varint => "varint",
        Fixed64 => "fixed64",
        LengthDelimited => "length-delimited",
        Fixed32 => "fixed32",
        3 => "group start",
        4 => "group end",
        _ => "invalid",
    };
}
