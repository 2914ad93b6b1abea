using DepMap.Ingest.Common;

namespace DepMap.Ingest.Otlp;

/// <summary>OTLP KeyValue and AnyValue on the wire: values are decoded only for keys DepMap links by.</summary>
internal static partial class OtlpProtobufDecoder
{
    /// <summary>Reads one KeyValue; the value is decoded only when the key is one DepMap uses.</summary>
    private static AttributeKey ReadKeyValue(scoped ref WireReader reader, int end, out AnyValue value)
    {
        value = default;
        ReadOnlySpan<byte> key = default;
        int valueStart = -1, valueEnd = -1;
        while (reader.NextTag(end, Message.KeyValue, out var field, out var wireType))
        {
            switch (field)
            {
                case 1:
                    key = ReadBytes(ref reader, end, Message.KeyValue, field, wireType);
                    break;
                case 2:
                    reader.Expect(wireType, WireReader.LengthDelimited, Message.KeyValue, field);
                    valueEnd = reader.ReadLength(end, Message.KeyValue, field);
                    valueStart = reader.Position;
                    reader.Position = valueEnd;
                    break;
                default:
                    reader.Skip(wireType, end, Message.KeyValue, field);
                    break;
            }
        }
        var attribute = AttributeKeys.Lookup(key);
        if (attribute == AttributeKey.None || valueStart < 0)
        {
            return AttributeKey.None;
        }
        reader.Position = valueStart;
        value = ReadAnyValue(ref reader, valueEnd);
        reader.Position = end;
        return attribute;
    }

    private static AnyValue ReadAnyValue(scoped ref WireReader reader, int end)
    {
        var value = default(AnyValue);
        while (reader.NextTag(end, Message.AnyValue, out var field, out var wireType))
        {
            // A oneof: the last member on the wire wins, as protobuf parsers do.
            switch (field)
            {
                case 1:
                    value = new AnyValue(1, ReadBytes(ref reader, end, Message.AnyValue, field, wireType), 0);
                    break;
                case 3:
                    reader.Expect(wireType, WireReader.Varint, Message.AnyValue, field);
                    value = new AnyValue(3, default, (long)reader.ReadVarint(end, Message.AnyValue));
                    break;
                default:
                    value = default;
                    reader.Skip(wireType, end, Message.AnyValue, field);
                    break;
            }
        }
        return value;
    }

    private static void Apply(SpanFields span, AttributeKey key, AnyValue value, Utf8StringPool pool)
    {
        switch (key)
        {
            case var ignored when !AttributeKeys.AppliesToOtlpSpan(ignored):
                break;
            case var integer when SpanFields.IsInteger(integer):
                if (value.Type == 3)
                {
                    span.SetInteger(integer, value.Integer);
                }
                else if (value.Type == 1)
                {
                    span.SetInteger(integer, value.Bytes);
                }
                break;
            default:
                if (value.Type == 1 && !value.Bytes.IsEmpty)
                {
                    span.SetString(key, pool.Get(value.Bytes));
                }
                break;
        }
    }

    /// <summary>The members of an AnyValue DepMap reads: 1 = string_value, 3 = int_value; 0 = anything else.</summary>
    private readonly ref struct AnyValue(int type, ReadOnlySpan<byte> bytes, long integer)
    {
        public int Type { get; } = type;
        public ReadOnlySpan<byte> Bytes { get; } = bytes;
        public long Integer { get; } = integer;
    }
}
