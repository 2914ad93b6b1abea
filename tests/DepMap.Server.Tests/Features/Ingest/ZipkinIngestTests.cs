using System.Net;
using DepMap.Core.Spans;

namespace DepMap.Server.Tests.Features.Ingest;

[Collection(ServerCollection.Name)]
public class ZipkinIngestTests(DepMapFactory factory)
{
    private const string Path = "/api/v2/spans";
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task PostSpans_Returns202AndStoresEverySpan_WhenPayloadIsValid()
    {
        var trace = Payloads.NewTraceIdLow();

        var response = await _client.PostAsync(Path, Payloads.Utf8(Payloads.ZipkinTrace(trace)), "application/json");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var spans = (await factory.StoredSpansAsync(trace)).Select(r => r.ToSpan()).ToList();
        Assert.Equal(2, spans.Count);
        var client = Assert.Single(spans, s => s.Kind == SpanKind.Client);
        Assert.Equal(("frontend", "backend", false), (client.LocalService, client.PeerService, client.Error));
        var server = Assert.Single(spans, s => s.Kind == SpanKind.Server);
        Assert.Equal(("backend", 0xaUL, true, 15_000_000L), (server.LocalService, server.ParentId, server.Error, server.DurationNano));
    }

    [Fact]
    public async Task PostSpans_StoresSpans_WhenBodyIsGzipAndTypeIsOmitted()
    {
        var trace = Payloads.NewTraceIdLow();

        var response = await _client.PostAsync(Path, Payloads.Gzip(Payloads.Utf8(Payloads.ZipkinTrace(trace))), contentType: null, "gzip");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(2, (await factory.StoredSpansAsync(trace)).Count);
    }

    [Fact]
    public async Task PostSpans_Returns400NamingTheField_WhenJsonIsMalformed()
    {
        var response = await _client.PostAsync(Path, Payloads.Utf8("""[{"traceId":"xyz","id":"1"}]"""), "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("[0].traceId:", await response.ProblemDetailAsync());
    }

    [Fact]
    public async Task PostSpans_Returns400NamingTheOffset_WhenBodyIsNotJson()
    {
        var response = await _client.PostAsync(Path, Payloads.Utf8("""[{"traceId":"1",]"""), "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("byte 16: invalid JSON", await response.ProblemDetailAsync());
    }

    [Fact]
    public async Task PostSpans_Returns415NamingTheSupportedType_WhenContentTypeIsWrong()
    {
        var response = await _client.PostAsync(Path, Payloads.Utf8("[]"), "application/x-thrift");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var detail = await response.ProblemDetailAsync();
        Assert.Contains("'application/x-thrift'", detail);
        Assert.Contains("Supported: application/json", detail);
    }

    [Fact]
    public async Task PostSpans_Returns415_WhenContentEncodingIsNotGzip()
    {
        var response = await _client.PostAsync(Path, Payloads.Utf8("[]"), "application/json", "br");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("Content-Encoding 'br'", await response.ProblemDetailAsync());
    }

    [Fact]
    public async Task PostSpans_Returns400_WhenGzipIsCorrupt()
    {
        var gzip = Payloads.Gzip(Payloads.Utf8(Payloads.ZipkinTrace(Payloads.NewTraceIdLow())));
        gzip.AsSpan(10, 16).Fill(0xFF);

        var response = await _client.PostAsync(Path, gzip, "application/json", "gzip");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not valid gzip", await response.ProblemDetailAsync());
    }

    [Fact]
    public async Task PostSpans_Returns413_WhenBodyIsOverTheCap()
    {
        var body = new byte[16 * 1024 * 1024 + 1];
        body.AsSpan().Fill((byte)' ');

        var response = await _client.PostAsync(Path, body, "application/json");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("exceeds the limit of 16777216 bytes", await response.ProblemDetailAsync());
    }

    [Fact]
    public async Task PostSpans_Returns413_WhenGzipInflatesPastTheCap()
    {
        // 64 MiB of zeros in about 64 KB: the cap is checked while inflating.
        var bomb = Payloads.GzipBomb(64L * 1024 * 1024);

        var response = await _client.PostAsync(Path, bomb, "application/json", "gzip");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("after decompression", await response.ProblemDetailAsync());
    }

    [Fact]
    public async Task PostSpans_KeepsSpansAlreadyAccepted_WhenALaterRequestIsMalformed()
    {
        var trace = Payloads.NewTraceIdLow();
        await _client.PostAsync(Path, Payloads.Utf8(Payloads.ZipkinTrace(trace)), "application/json");

        var bad = await _client.PostAsync(Path, Payloads.Utf8(Payloads.ZipkinTrace(trace)[..^5]), "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(2, (await factory.StoredSpansAsync(trace)).Count);
    }
}
