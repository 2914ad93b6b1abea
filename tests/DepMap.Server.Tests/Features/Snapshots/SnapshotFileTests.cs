using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DepMap.Server.Features.Snapshots;
using DepMap.Server.Tests.Aggregation;
using Microsoft.Extensions.DependencyInjection;

namespace DepMap.Server.Tests.Features.Snapshots;

/// <summary>Snapshot files on disk: names that never collide, files written again from the row, paging at the end of int.</summary>
public sealed class SnapshotFileTests : IDisposable
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Snapshots:Schedules:hourly:Cron"] = "",
        ["Snapshots:Schedules:daily:Cron"] = "",
        ["Snapshots:AdminToken"] = "s3cret",
    };

    private readonly string _folder = DepMapFactory.NewFolder();

    private string Graphs => Path.Combine(_folder, "graphs");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open elsewhere; the temp folder is cleaned by the OS eventually.
        }
    }

    [Fact]
    public async Task TakeSnapshot_NeverReusesAStoredSnapshotsFileName_WhenAnEarlierOneWasDeleted()
    {
        using var factory = new AggregationFactory(folder: _folder, ownsFolder: false, settings: Settings);
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", "s3cret");
        var stems = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            stems.Add((await TakeAsync(client, "{\"lookback\":\"1h\",\"label\":\"coll\"}")).Stem);
        }
        Assert.Equal(204, (int)(await client.DeleteAsync($"/snapshots/{await IdOfAsync(client, stems[1])}")).StatusCode);

        var next = await TakeAsync(client, "{\"lookback\":\"1h\",\"label\":\"coll\"}");
        var dashTwo = await TakeAsync(client, "{\"lookback\":\"1h\",\"label\":\"coll-2\"}");
        Assert.Equal(204, (int)(await client.DeleteAsync($"/snapshots/{next.Id}")).StatusCode);

        Assert.DoesNotContain(next.Stem, stems.Where((_, i) => i != 1));
        Assert.NotEqual(next.Stem, dashTwo.Stem);
        // The third snapshot keeps its file, and the index still lists it with that file.
        Assert.True(File.Exists(Path.Combine(Graphs, stems[2] + ".json")));
        using var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Graphs, "index.json")));
        var files = index.RootElement.GetProperty("snapshots").EnumerateArray().Select(s => s.GetProperty("file").GetString()).ToList();
        Assert.Equal([stems[0] + ".json", stems[2] + ".json", dashTwo.Stem + ".json"], files);
        Assert.All(files, file => Assert.True(File.Exists(Path.Combine(Graphs, file!)), file));
    }

    [Fact]
    public async Task Start_WritesAStoredSnapshotsMissingFiles_WhenWritingThemFailedAfterTheRowCommitted()
    {
        // A plain file where the snapshot folder should be: the row commits, then creating the folder fails.
        await File.WriteAllTextAsync(Graphs, "not a folder");
        long id;
        string stem;
        using (var broken = new AggregationFactory(folder: _folder, ownsFolder: false, settings: Settings))
        {
            using var client = broken.CreateClient();
            (id, stem) = await TakeAsync(client, "{\"lookback\":\"1h\",\"label\":\"survivor\"}");
            Assert.Equal(id, (await client.GetFromJsonAsync<JsonElement>($"/snapshots/{id}")).GetProperty("id").GetInt64());
        }
        File.Delete(Graphs);

        using var restarted = new AggregationFactory(folder: _folder, ownsFolder: false, settings: Settings);
        using var restartedClient = restarted.CreateClient();
        var repaired = await restarted.Services.GetRequiredService<SnapshotRepair>().Completion.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, repaired);
        foreach (var format in new[] { "json", "dot", "svg", "mmd" })
        {
            Assert.True(File.Exists(Path.Combine(Graphs, $"{stem}.{format}")), format);
            Assert.True(File.Exists(Path.Combine(Graphs, $"latest.{format}")), "latest." + format);
        }
        Assert.Equal(await restartedClient.GetByteArrayAsync($"/snapshots/{id}.json"), File.ReadAllBytes(Path.Combine(Graphs, stem + ".json")));
        Assert.Contains(stem + ".json", await File.ReadAllTextAsync(Path.Combine(Graphs, "index.json")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2147483647, 200)]
    [InlineData(10737419, 200)]
    [InlineData(2, 20)]
    public async Task ListSnapshots_IsEmpty_WhenThePageLiesPastTheLastSnapshot(int page, int pageSize)
    {
        using var factory = new AggregationFactory(folder: _folder, ownsFolder: false, settings: Settings);
        using var client = factory.CreateClient();
        await TakeAsync(client, "{\"lookback\":\"1h\"}");

        using var listed = JsonDocument.Parse(await client.GetStringAsync($"/snapshots?page={page}&pageSize={pageSize}"));

        Assert.Equal(page, listed.RootElement.GetProperty("page").GetInt32());
        Assert.Equal(1, listed.RootElement.GetProperty("total").GetInt32());
        Assert.Empty(listed.RootElement.GetProperty("items").EnumerateArray());
    }

    private static async Task<(long Id, string Stem)> TakeAsync(HttpClient client, string body)
    {
        var response = await client.PostAsync("/snapshots", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var view = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (view.GetProperty("id").GetInt64(), view.GetProperty("fileStem").GetString()!);
    }

    private static async Task<long> IdOfAsync(HttpClient client, string stem)
    {
        using var page = JsonDocument.Parse(await client.GetStringAsync("/snapshots?pageSize=200"));
        return page.RootElement.GetProperty("items").EnumerateArray().Single(s => s.GetProperty("fileStem").GetString() == stem).GetProperty("id").GetInt64();
    }
}
