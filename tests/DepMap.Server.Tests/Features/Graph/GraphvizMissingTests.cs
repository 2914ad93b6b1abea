using System.Net;
using DepMap.Server.Features.Graph;
using Microsoft.Extensions.DependencyInjection;

namespace DepMap.Server.Tests.Features.Graph;

public sealed class GraphvizMissingTests : IDisposable
{
    private readonly DepMapFactory _factory = new(DepMapFactory.NewFolder(), ownsFolder: true, new()
    {
        ["Graph:DotPath"] = "/nonexistent/graphviz/dot",
    });

    [Fact]
    public async Task GetGraphSvg_Returns503SayingHowToInstallGraphviz_WhenDotIsMissing()
    {
        var response = await _factory.CreateClient().GetAsync("/graph.svg?lookback=15m");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var detail = (await GraphParameterTests.ProblemAsync(response)).Detail;
        Assert.Contains("'/nonexistent/graphviz/dot' was not found", detail);
        Assert.Contains("apt-get install graphviz", detail);
    }

    [Fact]
    public async Task GetGraphJson_StillAnswers_WhenDotIsMissing()
    {
        var response = await _factory.CreateClient().GetAsync("/graph.json?lookback=15m");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Startup_SucceedsAndWarmUpDrawsNothing_WhenDotIsMissing()
    {
        var response = await _factory.CreateClient().GetAsync("/healthz");
        var warmUp = await _factory.Services.GetRequiredService<GraphWarmUp>().Completion.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(warmUp);
    }

    public void Dispose() => _factory.Dispose();
}
