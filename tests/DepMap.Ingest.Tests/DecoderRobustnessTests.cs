using System.Text;

namespace DepMap.Ingest.Tests;

/// <summary>
/// Whatever bytes arrive, a decoder answers with spans or a <see cref="SpanDecodeException"/>, never
/// another exception: the server turns the one into a 400 and would turn any other into a 500.
/// Fixed seeds keep every run the same.
/// </summary>
public class DecoderRobustnessTests
{
    public static TheoryData<TraceFormat> Formats => [TraceFormat.OtlpProtobuf, TraceFormat.OtlpJson, TraceFormat.ZipkinJson, TraceFormat.JaegerJson];

    private static byte[] Valid(TraceFormat format) => format switch
    {
        TraceFormat.OtlpProtobuf => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Golden", "otlp-dotnet-sdk-logistics.pb")),
        TraceFormat.OtlpJson => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Golden", "otlp-variants.json")),
        TraceFormat.ZipkinJson => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Examples", "logistics-tracking.zipkin.json")),
        _ => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Examples", "logistics-tracking.jaeger.json")),
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public void Decode_ThrowsOnlySpanDecodeException_WhenBytesAreRandom(TraceFormat format)
    {
        var random = new Random(20250101 + (int)format);
        for (var i = 0; i < 3000; i++)
        {
            var payload = new byte[random.Next(0, 200)];
            random.NextBytes(payload);
            if (i % 3 == 0 && payload.Length > 0)
            {
                // Start like the format so the decoder gets past its first byte.
                payload[0] = format == TraceFormat.OtlpProtobuf ? (byte)0x0A : format == TraceFormat.ZipkinJson ? (byte)'[' : (byte)'{';
            }
            AssertDecodesOrRefuses(format, payload);
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Decode_ThrowsOnlySpanDecodeException_WhenValidPayloadIsMutated(TraceFormat format)
    {
        var valid = Valid(format);
        var random = new Random(777 + (int)format);
        var decoded = 0;
        for (var i = 0; i < 3000; i++)
        {
            var payload = Mutate(valid, random, format);
            decoded += AssertDecodesOrRefuses(format, payload) ? 1 : 0;
        }
        // Some mutations leave the payload valid; if none did, the mutations would prove little.
        Assert.InRange(decoded, 1, 2999);
    }

    [Fact]
    public void Detect_NeverThrows_WhenBytesAreRandomOrMutated()
    {
        var random = new Random(99);
        foreach (var format in new[] { TraceFormat.OtlpProtobuf, TraceFormat.OtlpJson, TraceFormat.ZipkinJson, TraceFormat.JaegerJson })
        {
            var valid = Valid(format);
            Assert.Equal(format, SpanDecoders.Detect(valid));
            for (var i = 0; i < 1000; i++)
            {
                var random1 = new byte[random.Next(0, 64)];
                random.NextBytes(random1);
                _ = SpanDecoders.Detect(random1);
                _ = SpanDecoders.Detect(Mutate(valid, random, format));
            }
        }
    }

    private static bool AssertDecodesOrRefuses(TraceFormat format, byte[] payload)
    {
        try
        {
            var batch = SpanDecoders.Decode(format, payload);
            Assert.All(batch.Spans, s => Assert.False(s.TraceId.IsEmpty || s.SpanId == 0));
            return true;
        }
        catch (SpanDecodeException error)
        {
            Assert.False(string.IsNullOrWhiteSpace(error.Message));
            return false;
        }
        catch (Exception other)
        {
            Assert.Fail($"{format} threw {other.GetType().Name} for {Convert.ToHexString(payload)}: {other}");
            return false;
        }
    }

    private static byte[] Mutate(byte[] valid, Random random, TraceFormat format)
    {
        var bytes = new List<byte>(valid);
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits && bytes.Count > 0; e++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 2:
                    bytes.RemoveRange(at, random.Next(1, Math.Min(16, bytes.Count - at) + 1));
                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 4:
                    var start = random.Next(bytes.Count);
                    bytes.InsertRange(at, bytes.GetRange(start, Math.Min(random.Next(1, 40), bytes.Count - start)));
                    break;
                default:
                    // JSON structure characters, escapes, broken UTF-8 and protobuf's large varints are where parsers slip.
                    var pick = format == TraceFormat.OtlpProtobuf
                        ? new byte[] { 0xFF, 0x80, 0x00, 0x0A, 0x12, 0x7F }
                        : [.. Encoding.ASCII.GetBytes("{}[]\",:0-e\\u"), 0xFF, 0xC3];
                    bytes.Insert(at, pick[random.Next(pick.Length)]);
                    break;
            }
        }
        return [.. bytes];
    }
}
