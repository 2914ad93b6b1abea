using System.Text;
using CsCheck;
using DepMap.Core.Spans;
using DepMap.Tests.Shared.Fuzzing;

namespace DepMap.Ingest.Tests.Fuzzing;

/// <summary>
/// Property-based fuzzing of the four decoders (CsCheck generators, <see cref="FuzzBudget"/> for the
/// seed and the budget). Properties: any bytes are decoded or refused with a
/// <see cref="SpanDecodeException"/> (the server's typed 400), never another exception; a decoded
/// span re-encoded as OTLP (protobuf and JSON) decodes to the same span, all but Zipkin's remote
/// service and shared flag, which OTLP cannot carry; a decoded Zipkin or Jaeger span re-encoded in
/// its own format decodes to the same span, every field compared; and generated spans of each
/// format, encoded and decoded, are the same spans.
/// </summary>
public class DecoderFuzzTests
{
    public static TheoryData<TraceFormat> Formats => [TraceFormat.OtlpProtobuf, TraceFormat.OtlpJson, TraceFormat.ZipkinJson, TraceFormat.JaegerJson];

    [Theory]
    [MemberData(nameof(Formats))]
    public void Decode_DecodesOrRefusesWithDecodeError_WhenBytesAreRandom(TraceFormat format)
    {
        var first = format == TraceFormat.OtlpProtobuf ? (byte)0x0A : format == TraceFormat.ZipkinJson ? (byte)'[' : (byte)'{';
        // Half the inputs start like the format, so the decoder gets past its first byte.
        var gen = Gen.Bool.SelectMany(hinted => Gen.Byte.Array[0, 300].Select(bytes =>
            hinted && bytes.Length > 0 ? [first, .. bytes[1..]] : bytes));
        FuzzBudget.Run($"random-{format}", gen, 4000, bytes => DecodesOrRefuses(format, bytes), Show(format));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Decode_DecodesOrRefusesWithDecodeError_WhenValidPayloadIsMutated(TraceFormat format)
    {
        var decoded = 0;
        FuzzBudget.Run($"mutated-{format}", FuzzPayloads.Mutated(format), 3000,
            bytes => decoded += DecodesOrRefuses(format, bytes) ? 1 : 0, Show(format));
        // Some mutations keep the payload valid (and so reach the round trip); all of them would prove little.
        Assert.InRange(decoded, 1, (3000 * FuzzBudget.Scale) - 1);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Decode_GivesTheSameSpans_WhenGeneratedSpansAreEncodedAndDecoded(TraceFormat format)
    {
        // Zipkin and Jaeger get the spans they can carry (FuzzPayloads.SpansOf): whole microseconds, and
        // for Zipkin no links or INTERNAL kind but its remote service, shared flag and IP endpoint.
        FuzzBudget.Run($"generated-{format}", FuzzPayloads.SpansOf(format).Array[1, 12], 1500, spans =>
        {
            var payload = FuzzPayloads.Encode(format, spans);
            var decoded = SpanDecoders.Decode(format, payload);
            Assert.Equal(0, decoded.RejectedSpans);
            Assert.Equal(FuzzPayloads.InWrittenOrder(format, spans), decoded.Spans, SpanComparer.Instance);
            ReEncodesToTheSameSpans(format, decoded.Spans);
        }, spans => Encoding.UTF8.GetString(FuzzPayloads.Encode(format == TraceFormat.OtlpProtobuf ? TraceFormat.OtlpJson : format, spans)));
    }

    /// <summary>True when decoded (and then the round trip holds), false when refused with the typed error.</summary>
    private static bool DecodesOrRefuses(TraceFormat format, byte[] payload)
    {
        DecodedBatch batch;
        try
        {
            batch = SpanDecoders.Decode(format, payload);
        }
        catch (SpanDecodeException error)
        {
            Assert.False(string.IsNullOrWhiteSpace(error.Message));
            return false;
        }
        Assert.All(batch.Spans, s => Assert.False(s.TraceId.IsEmpty || s.SpanId == 0));
        ReEncodesToTheSameSpans(format, batch.Spans);
        return true;
    }

    private static void ReEncodesToTheSameSpans(TraceFormat format, IReadOnlyList<Span> spans)
    {
        // OTLP has no Zipkin remote endpoint or shared flag: those stay out of the OTLP comparison
        // (the Zipkin one below holds them).
        var expected = OtlpSpanEncoder.InWrittenOrder(
            spans.Select(s => format == TraceFormat.ZipkinJson ? s with { RemoteService = null, Shared = false } : s));
        var viaProtobuf = SpanDecoders.Decode(TraceFormat.OtlpProtobuf, OtlpSpanEncoder.Protobuf(expected));
        var viaJson = SpanDecoders.Decode(TraceFormat.OtlpJson, OtlpSpanEncoder.Json(expected));
        Assert.Equal(expected, viaProtobuf.Spans, SpanComparer.Instance);
        Assert.Equal(expected, viaJson.Spans, SpanComparer.Instance);

        // A Zipkin or Jaeger span in its own format again, every field compared. Nothing is left out:
        // what the format cannot carry (Zipkin: links, the INTERNAL kind; Jaeger: Zipkin's remote
        // service and shared flag; both: sub-microsecond times) its decoder never gives, and the
        // encoders refuse such a span rather than drop the field.
        if (format is TraceFormat.ZipkinJson or TraceFormat.JaegerJson)
        {
            var native = SpanDecoders.Decode(format, FuzzPayloads.Encode(format, [.. spans]));
            Assert.Equal(0, native.RejectedSpans);
            Assert.Equal(FuzzPayloads.InWrittenOrder(format, spans), native.Spans, SpanComparer.Instance);
        }
    }

    private static Func<byte[], string> Show(TraceFormat format) => bytes => OtlpSpanEncoder.Show(bytes, format != TraceFormat.OtlpProtobuf);
}
