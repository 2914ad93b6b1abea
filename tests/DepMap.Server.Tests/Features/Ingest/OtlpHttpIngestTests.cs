using System.Net;
using System.Text.Json;
using Google.Protobuf;

namespace DepMap.Server.Tests.Features.Ingest;

[Collection(ServerCollection.Name)]
public class OtlpHttpIngestTests(DepMapFactory factory)
{
    private const string Path = "/v1/traces";
    private const string Protobuf = "application/x-protobuf";
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task PostTraces_Returns200WithEmptyProtobufResponse_WhenEverySpanIsAccepted()
    {
        var trace = Payloads.NewTraceIdLow();
        var body = OtlpProto.Request("orders", OtlpProto.Span(OtlpProto.TraceId(7, trace), 1, "GET /orders", kind: 2));

        var response = await _client.PostAsync(Path, body, Protobuf);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Protobuf, response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        var span = Assert.Single(await factory.StoredSpansAsync(trace)).ToSpan();
        Assert.Equal(("orders", "GET /orders", 7UL), (span.LocalService, span.Name, span.TraceId.High));
    }

    [Fact]
    public async Task PostTraces_AnswersPartialSuccessInProtobuf_WhenSomeSpansAreRejected()
    {
        var trace = Payloads.NewTraceIdLow();
        var body = OtlpProto.Request("orders",
            OtlpProto.Span(OtlpProto.TraceId(0, trace), 1, "kept", kind: 2),
            OtlpProto.Span(new byte[8], 2, "eight-byte trace id", kind: 2));

        var response = await _client.PostAsync(Path, Payloads.Gzip(body), Protobuf, "gzip");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (rejected, message) = ReadPartialSuccess(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, rejected);
        Assert.Contains("spans[1]: trace_id is 8 bytes", message);
        Assert.Equal("kept", Assert.Single(await factory.StoredSpansAsync(trace)).ToSpan().Name);
    }

    [Fact]
    public async Task PostTraces_AnswersInJson_WhenRequestIsOtlpJson()
    {
        var trace = Payloads.NewTraceIdLow();

        var response = await _client.PostAsync(Path, Payloads.Utf8(OtlpJson(trace, "00000000000000a1")), "application/json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{}", await response.Content.ReadAsStringAsync());
        Assert.Equal("checkout", Assert.Single(await factory.StoredSpansAsync(trace)).ToSpan().LocalService);
    }

    [Fact]
    public async Task PostTraces_AnswersPartialSuccessInJson_WhenASpanHasNoId()
    {
        var trace = Payloads.NewTraceIdLow();

        var response = await _client.PostAsync(Path, Payloads.Utf8(OtlpJson(trace, "0000000000000000")), "application/json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var partial = json.RootElement.GetProperty("partialSuccess");
        Assert.Equal("1", partial.GetProperty("rejectedSpans").GetString());
        Assert.Contains("span", partial.GetProperty("errorMessage").GetString());
        Assert.Empty(await factory.StoredSpansAsync(trace));
    }

    [Fact]
    public async Task PostTraces_Returns400NamingTheByte_WhenProtobufIsMalformed()
    {
        var response = await _client.PostAsync(Path, [0x0A, 0x05], Protobuf);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("byte 1: length 5 of field 1 (resource_spans) runs past the end", await response.ProblemDetailAsync());
    }

    [Fact]
    public async Task PostTraces_Returns400_WhenOtlpJsonIsMalformed()
    {
        var response = await _client.PostAsync(Path, Payloads.Utf8("""{"resourceSpans":[{"scopeSpans":{}}]}"""), "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("scopeSpans", await response.ProblemDetailAsync());
    }

    [Fact]
    public async Task PostTraces_Returns415NamingBothEncodings_WhenContentTypeIsWrong()
    {
        var response = await _client.PostAsync(Path, [1], "text/plain");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.EndsWith("Supported: application/x-protobuf, application/json.", await response.ProblemDetailAsync());
    }

    private static string OtlpJson(ulong trace, string spanId) => $$$$"""
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}}]},
          "scopeSpans":[{"spans":[{"traceId":"{{{{Payloads.Hex(0)}}}}{{{{Payloads.Hex(trace)}}}}","spanId":"{{{{spanId}}}}",
            "name":"POST /checkout","kind":2,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000002000000"}]}]}]}
        """;

    /// <summary>ExportTraceServiceResponse.partial_success (1) { rejected_spans (1), error_message (2) }.</summary>
    private static (long Rejected, string Message) ReadPartialSuccess(byte[] response)
    {
        var outer = new CodedInputStream(response);
        Assert.Equal(WireFormat.MakeTag(1, WireFormat.WireType.LengthDelimited), outer.ReadTag());
        var inner = new CodedInputStream(outer.ReadBytes().ToByteArray());
        long rejected = 0;
        var message = "";
        for (var tag = inner.ReadTag(); tag != 0; tag = inner.ReadTag())
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1)
            {
                rejected = inner.ReadInt64();
            }
            else
            {
                message = inner.ReadString();
            }
        }
        Assert.True(outer.IsAtEnd);
        return (rejected, message);
    }
}
