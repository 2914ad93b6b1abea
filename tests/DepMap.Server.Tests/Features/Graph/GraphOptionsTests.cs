using DepMap.Server.Features.Graph;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Tests.Features.Graph;

public class GraphOptionsTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    // dot multiplies nslimit by the node count into an int; a limit this large wraps round.
    [InlineData("1e9")]
    public void Startup_FailsNamingDotNsLimit_WhenDotNsLimitIsOutOfRange(string value)
    {
        using var factory = Factory(new() { ["Graph:DotNsLimit"] = value });

        var error = Assert.ThrowsAny<Exception>(() => factory.Services);

        Assert.Contains("Graph:DotNsLimit must be more than 0 and at most 10000", error.Message);
    }

    [Theory]
    [InlineData("25", 25.0)]
    [InlineData("", null)]
    public void GraphvizOptions_CarryConfiguredDotNsLimit_WhenDotNsLimitIsValid(string value, double? expected)
    {
        using var factory = Factory(new() { ["Graph:DotNsLimit"] = value });

        var graphviz = factory.Services.GetRequiredService<IOptions<GraphOptions>>().Value.Graphviz;

        Assert.Equal(expected, graphviz.DotNsLimit);
    }

    [Fact]
    public void GraphvizOptions_CapDotPlacementAt10_WhenDotNsLimitIsNotConfigured()
    {
        using var factory = new DepMapFactory();

        var graphviz = factory.Services.GetRequiredService<IOptions<GraphOptions>>().Value.Graphviz;

        Assert.Equal(10, graphviz.DotNsLimit);
    }

    private static DepMapFactory Factory(Dictionary<string, string?> settings) =>
        new(DepMapFactory.NewFolder(), ownsFolder: true, settings);
}
