using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace DepMap.Server.BrowserTests.Features.Page;

/// <summary>Two snapshots: the second one's window has a new edge, checkout → fraud.</summary>
public sealed class DiffFixture : BrowserFixture
{
    public long First { get; private set; }
    public long Second { get; private set; }

    protected override async Task SeedAsync(HttpClient http)
    {
        var recent = DateTimeOffset.UtcNow.AddMinutes(-3);
        await Traffic.SendAsync(http, new Calls("checkout", "cart", 10, recent));
        First = await SnapshotAsync(http);
        await Traffic.SendAsync(http, new Calls("checkout", "fraud", 4, recent.AddSeconds(1)));
        Second = await SnapshotAsync(http);
    }

    private static async Task<long> SnapshotAsync(HttpClient http)
    {
        var response = await http.PostAsJsonAsync("/snapshots", new { lookback = "1h" });
        response.EnsureSuccessStatusCode();
        return (long)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
    }
}

public sealed class SnapshotDiffTests(DiffFixture fixture) : IClassFixture<DiffFixture>
{
    [Fact]
    public async Task DiffView_ShowsTheAddedEdge_WhenTheSecondSnapshotIsDiffedAgainstTheFirst()
    {
        var page = await fixture.OpenAsync();
        await page.Snapshots.WaitForSnapshotAsync(fixture.Second);

        await page.Snapshots.DiffAsync(fixture.Second, fixture.First);

        Assert.Equal(["checkout → fraud"], await page.Snapshots.AddedEdgesAsync());
        Assert.Equal($"/snapshots/{fixture.Second}/diff/{fixture.First}.svg", await page.Snapshots.PictureAsync());
        Assert.Contains($"diff={fixture.Second}%3A{fixture.First}", page.Page.Url, StringComparison.Ordinal);
    }
}
