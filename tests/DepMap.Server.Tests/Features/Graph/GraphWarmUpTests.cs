using DepMap.Rendering;
using DepMap.Server.Features.Graph;
using Microsoft.Extensions.DependencyInjection;

namespace DepMap.Server.Tests.Features.Graph;

public class GraphWarmUpTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WarmUp_DrawsWithDot_WhenServerStarts()
    {
        using var factory = new DepMapFactory();

        var layout = await factory.Services.GetRequiredService<GraphWarmUp>().Completion.WaitAsync(Patience);

        Assert.Equal(GraphLayout.Dot, layout);
    }

    [Fact]
    public async Task WarmUp_DrawsNothing_WhenTurnedOff()
    {
        using var factory = new DepMapFactory(DepMapFactory.NewFolder(), ownsFolder: true, new() { ["Graph:WarmUpOnStart"] = "false" });

        var layout = await factory.Services.GetRequiredService<GraphWarmUp>().Completion.WaitAsync(Patience);

        Assert.Null(layout);
    }
}
