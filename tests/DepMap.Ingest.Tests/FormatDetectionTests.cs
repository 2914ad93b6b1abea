using System.Text;

namespace DepMap.Ingest.Tests;

public class FormatDetectionTests
{
    [Theory]
    [InlineData("""{"resourceSpans":[]}""", TraceFormat.OtlpJson)]
    [InlineData("""{"data":[{"traceID":"1","spans":[]}]}""", TraceFormat.JaegerJson)]
    [InlineData("""{"traceID":"1","spans":[],"processes":{}}""", TraceFormat.JaegerJson)]
    [InlineData("""[{"traceID":"1","spans":[]}]""", TraceFormat.JaegerJson)]
    [InlineData("""[{"traceId":"1","id":"1"}]""", TraceFormat.ZipkinJson)]
    [InlineData("\n [ ]", TraceFormat.ZipkinJson)]
    [InlineData("\uFEFF{\"unknown\":1,\"resourceSpans\":[]}", TraceFormat.OtlpJson)]
    public void Detect_NamesFormat_WhenJsonHasItsKeys(string json, TraceFormat expected)
    {
        Assert.Equal(expected, SpanDecoders.Detect(Encoding.UTF8.GetBytes(json)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("{\"other\":1}")]
    [InlineData("hello")]
    [InlineData("{\"resource")]
    public void Detect_ReturnsNull_WhenFormatIsUnknown(string text)
    {
        Assert.Null(SpanDecoders.Detect(Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void Detect_NamesOtlpProtobuf_WhenBytesAreResourceSpansFields()
    {
        // Two resource_spans fields: tag 0x0A, length, body; the first body starts like a JSON newline.
        byte[] payload = [0x0A, 0x02, 0x0A, 0x00, 0x0A, 0x00];

        Assert.Equal(TraceFormat.OtlpProtobuf, SpanDecoders.Detect(payload));
        Assert.Null(SpanDecoders.Detect([0x0A, 0x05, 0x00]));
    }
}
