using Microsoft.Playwright;

namespace DepMap.Server.BrowserTests;

/// <summary>The page at <c>/</c>, one object per panel so a selector changes in one place.</summary>
public sealed class DepMapPage(IPage page)
{
    public IPage Page { get; } = page;
    public TimeBar TimeBar { get; } = new(page);
    public GraphPanel Graph { get; } = new(page);
    public DetailsPanel Details { get; } = new(page);
    public RankingPanel Ranking { get; } = new(page);
    public SnapshotsPanel Snapshots { get; } = new(page);
    public ConformancePanel Conformance { get; } = new(page);

    /// <summary>Runs <paramref name="change"/> and waits until the graph has been drawn again.</summary>
    public async Task ChangedAsync(Func<Task> change)
    {
        var renders = await Graph.RendersAsync();
        await change();
        await Graph.WaitForRendersAsync(renders + 1);
    }
}
