using System.Net;
using DepMap.Core.Spans;

namespace DepMap.Server.Tests.Features.Ingest;

[Collection(ServerCollection.Name)]
public class JaegerIngestTests(DepMapFactory factory)
{
    private const string Path = "/api/traces";
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task PostTraces_Returns202AndStoresTheSpan_WhenFileIsAJaegerDownload()
    {
        var trace = Payloads.NewTraceIdLow();

        var response = await _client.PostAsync(Path, Payloads.Utf8(Payloads.JaegerTrace(trace)), "application/json");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var span = Assert.Single(await factory.StoredSpansAsync(trace)).ToSpan();
        Assert.Equal(("inventory", SpanKind.Server, "HTTP GET"), (span.LocalService, span.Kind, span.Name));
    }

    [Fact]
    public async Task PostTraces_Returns400NamingThePath_WhenAFieldIsMalformed()
    {
        var response = await _client.PostAsync(Path, Payloads.Utf8("""{"data":{}}"""), "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("data:", await response.ProblemDetailAsync());
    }

    [Fact]
    public async Task PostTraces_Returns415_WhenContentTypeIsProtobuf()
    {
        var response = await _client.PostAsync(Path, [1, 2, 3], "application/x-protobuf");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("Supported: application/json", await response.ProblemDetailAsync());
    }
}
