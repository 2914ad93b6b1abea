using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace DepMap.Server.Tests.Features.Ingest;

/// <summary>Zipkin and Jaeger spans without ids are refused out loud, as OTLP refuses them.</summary>
[Collection(ServerCollection.Name)]
public class IngestRefusalTests(DepMapFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    [Theory]
    [InlineData("[{}]", "[0]: no trace id")]
    [InlineData("""[{"traceId":"00000000000000000000000000000abc","id":""}]""", "[0]: no span id")]
    public async Task PostZipkinSpans_Returns400NamingTheSpan_WhenNoSpanIsUsable(string body, string reason)
    {
        var response = await _client.PostAsync("/api/v2/spans", Payloads.Utf8(body), "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("1 span rejected: " + reason, await response.ProblemDetailAsync());
    }

    [Fact]
    public async Task PostZipkinSpans_StoresTheRestAndSaysHowManyWereRefused_WhenSomeSpansHaveNoId()
    {
        var trace = Payloads.NewTraceIdLow();
        var valid = Payloads.ZipkinTrace(trace).Trim().TrimEnd(']');
        var body = valid + """,{"traceId":"00000000000000000000000000000abc","name":"no id"},{}]""";

        var response = await _client.PostAsync("/api/v2/spans", Payloads.Utf8(body), "application/json");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((2, 2), (answer.GetProperty("acceptedSpans").GetInt32(), answer.GetProperty("rejectedSpans").GetInt32()));
        Assert.Equal("2 spans rejected, the first: [2]: no span id", answer.GetProperty("message").GetString());
        Assert.Equal(2, (await factory.StoredSpansAsync(trace)).Count);
    }

    [Fact]
    public async Task PostZipkinSpans_Answers202WithoutBody_WhenEverySpanIsUsable()
    {
        var response = await _client.PostAsync("/api/v2/spans", Payloads.Utf8(Payloads.ZipkinTrace(Payloads.NewTraceIdLow())), "application/json");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task PostJaegerTraces_Returns400NamingTheSpan_WhenSpanIdIsEmpty()
    {
        var body = Payloads.JaegerTrace(Payloads.NewTraceIdLow()).Replace("\"spanID\":\"000000000000000c\"", "\"spanID\":\"\"", StringComparison.Ordinal);

        var response = await _client.PostAsync("/api/traces", Payloads.Utf8(body), "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("1 span rejected: data[0].spans[0]: no span id", await response.ProblemDetailAsync());
    }

    [Fact]
    public async Task PostZipkinSpans_Returns400NamingTheField_WhenANameIsNotUtf8()
    {
        byte[] body = [.. """[{"traceId":"00000000000000000000000000000abc","id":"000000000000000a","localEndpoint":{"serviceName":"a"""u8, 0xC3, 0x28, .. "\"}}]"u8];

        var response = await _client.PostAsync("/api/v2/spans", body, "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("[0].localEndpoint.serviceName: byte", await response.ProblemDetailAsync(), StringComparison.Ordinal);
    }
}
