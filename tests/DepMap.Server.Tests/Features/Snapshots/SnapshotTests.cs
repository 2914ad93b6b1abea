using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DepMap.Core.Snapshots;
using DepMap.Server.Tests.Aggregation;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace DepMap.Server.Tests.Features.Snapshots;

public sealed class SnapshotTests : IDisposable
{
    private readonly AggregationFactory _factory = new(settings: new()
    {
        // Hangfire's "never", so only the tests take snapshots.
        ["Snapshots:Schedules:hourly:Cron"] = "0 0 31 2 *",
        ["Snapshots:Schedules:daily:Cron"] = "",
        ["Snapshots:AdminToken"] = "s3cret",
    });

    private string Graphs => Path.Combine(_factory.Folder, "graphs");

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Diff_HasExactAddedRemovedAndRegressedSets_WhenTwoSnapshotsOfKnownTraffic()
    {
        var (@base, head) = await TakeBaseAndHeadAsync();
        using var client = _factory.CreateClient();

        using var diff = JsonDocument.Parse(await client.GetStringAsync($"/snapshots/{head}/diff/{@base}.json"));

        var root = diff.RootElement;
        Assert.Equal(["inventory"], Names(root.GetProperty("nodes").GetProperty("added")));
        Assert.Equal(["legacy"], Names(root.GetProperty("nodes").GetProperty("removed")));
        Assert.Equal(["orders>inventory"], Edges(root.GetProperty("edges").GetProperty("added")));
        Assert.Equal(["orders>legacy"], Edges(root.GetProperty("edges").GetProperty("removed")));
        var regressed = root.GetProperty("edges").GetProperty("common").EnumerateArray().Where(e => e.GetProperty("regressed").GetBoolean()).ToList();
        Assert.Equal(["orders>payments"], regressed.Select(Edge));
        Assert.Equal(50, regressed[0].GetProperty("errorRate").GetProperty("points").GetDouble());
        Assert.Equal(3600, root.GetProperty("base").GetProperty("windowSeconds").GetDouble());
    }

    [Fact]
    public async Task DiffSvg_DrawsBothGraphsInOne_WhenSnapshotsDiffer()
    {
        var (@base, head) = await TakeBaseAndHeadAsync();
        using var client = _factory.CreateClient();

        var response = await client.GetAsync($"/snapshots/{head}/diff/{@base}.svg");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType!.MediaType);
        var svg = await response.Content.ReadAsStringAsync();
        Assert.Contains("<svg", svg, StringComparison.Ordinal);
        foreach (var name in new[] { "frontend", "orders", "payments", "legacy", "inventory" })
        {
            Assert.Contains(name, svg, StringComparison.Ordinal);
        }
        Assert.Contains("#2ca02c", svg, StringComparison.Ordinal);
        Assert.Contains("#ff7f0e", svg, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GraphDiff_ComparesASnapshotWithAWindow_WhenGivenIdAndInterval()
    {
        var (@base, _) = await TakeBaseAndHeadAsync();
        using var client = _factory.CreateClient();
        var interval = $"{SnapshotTraffic.Iso(SnapshotTraffic.HeadHour)}/{SnapshotTraffic.Iso(SnapshotTraffic.HeadHour.AddHours(1))}";

        using var diff = JsonDocument.Parse(await client.GetStringAsync($"/graph/diff?base={@base}&head={Uri.EscapeDataString(interval)}"));

        Assert.Equal(["orders>inventory"], Edges(diff.RootElement.GetProperty("edges").GetProperty("added")));
        Assert.Equal(1, diff.RootElement.GetProperty("summary").GetProperty("regressedEdges").GetInt32());
    }

    [Fact]
    public async Task Files_AreByteIdentical_WhenTheSameGraphIsTakenTwice()
    {
        await SnapshotTraffic.SendAsync(_factory, head: false, SnapshotTraffic.BaseHour, 0x100);
        await _factory.AggregateAsync();
        var first = await TakeAsync(SnapshotTraffic.Window(SnapshotTraffic.BaseHour) + ",\"label\":\"Release 1.2\"}");
        var latest = SnapshotFiles().ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(Graphs, "latest." + f)));
        _factory.Clock.Advance(TimeSpan.FromMinutes(5));

        var second = await TakeAsync(SnapshotTraffic.Window(SnapshotTraffic.BaseHour) + ",\"label\":\"Release 1.2\"}");

        var stem = "20241231T2300Z-release-1-2";
        Assert.Equal(stem, first.GetProperty("fileStem").GetString());
        Assert.Equal(stem + "-2", second.GetProperty("fileStem").GetString());
        Assert.Equal(File.ReadAllBytes(Path.Combine(Graphs, stem + ".json")), File.ReadAllBytes(Path.Combine(Graphs, stem + "-2.json")));
        foreach (var format in SnapshotFiles())
        {
            Assert.Equal(latest[format], File.ReadAllBytes(Path.Combine(Graphs, "latest." + format)));
            Assert.True(File.Exists(Path.Combine(Graphs, $"{stem}.{format}")));
        }
        // Same topology as the previous snapshot: statistics only, the index points at the pictures that hold.
        Assert.False(File.Exists(Path.Combine(Graphs, stem + "-2.svg")));
        Assert.True(second.GetProperty("sameTopologyAsPrevious").GetBoolean());
        using var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Graphs, "index.json")));
        Assert.Equal([stem, stem], index.RootElement.GetProperty("snapshots").EnumerateArray().Select(s => s.GetProperty("pictures").GetString()));
        var stored = SnapshotJson.Read(File.ReadAllBytes(Path.Combine(Graphs, stem + ".json")));
        Assert.Equal(first.GetProperty("contentHash").GetString(), stored.ContentHash);
        Assert.DoesNotContain("2024-", Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(Graphs, stem + ".json"))), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecurringJob_TakesASnapshot_WhenRegisteredFromConfigurationAndTriggeredThroughHangfire()
    {
        using var factory = new AggregationFactory(settings: new()
        {
            ["Snapshots:Schedules:hourly:Cron"] = "0 * * * *",
            ["Snapshots:Schedules:hourly:Lookback"] = "1h",
            ["Snapshots:Schedules:daily:Cron"] = "",
        });
        // Traffic 40 minutes before the fake now, not yet aggregated: the job aggregates what settled first.
        await SnapshotTraffic.SendAsync(factory, head: false, AggregationFactory.Now.AddMinutes(-50), 0x200);
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        using (var connection = factory.Services.GetRequiredService<JobStorage>().GetConnection())
        {
            var job = Assert.Single(connection.GetRecurringJobs(), j => j.Id == "snapshot-hourly");
            Assert.Equal("0 * * * *", job.Cron);
            Assert.DoesNotContain(connection.GetRecurringJobs(), j => j.Id == "snapshot-daily");
        }

        factory.Services.GetRequiredService<IRecurringJobManager>().Trigger("snapshot-hourly");

        using var client = factory.CreateClient();
        JsonElement item = default;
        for (var attempt = 0; attempt < 100 && item.ValueKind == JsonValueKind.Undefined; attempt++)
        {
            using var page = JsonDocument.Parse(await client.GetStringAsync("/snapshots"));
            if (page.RootElement.GetProperty("total").GetInt32() > 0)
            {
                item = page.RootElement.GetProperty("items")[0].Clone();
            }
            else
            {
                await Task.Delay(100);
            }
        }
        Assert.Equal("hourly", item.GetProperty("label").GetString());
        Assert.Equal(3600, item.GetProperty("windowSeconds").GetDouble());
        Assert.Equal((4, 3), (item.GetProperty("nodes").GetInt32(), item.GetProperty("edges").GetInt32()));
        // The row commits before the job writes the files: wait for the picture too.
        var svg = Path.Combine(factory.Folder, "graphs", item.GetProperty("fileStem").GetString() + ".svg");
        for (var attempt = 0; attempt < 100 && !File.Exists(Path.Combine(factory.Folder, "graphs", "index.json")); attempt++)
        {
            await Task.Delay(100);
        }
        Assert.True(File.Exists(svg));
    }

    [Theory]
    [InlineData("GET", "/snapshots/999")]
    [InlineData("GET", "/snapshots/999.json")]
    [InlineData("GET", "/snapshots/999.svg")]
    [InlineData("GET", "/snapshots/999/diff/1.json")]
    [InlineData("GET", "/snapshots/1/diff/999.svg")]
    [InlineData("GET", "/graph/diff?base=999&head=1h")]
    [InlineData("GET", "/snapshots/1.png")]
    [InlineData("DELETE", "/snapshots/999")]
    public async Task Snapshots_Answer404_WhenIdOrFormatIsUnknown(string method, string path)
    {
        await TakeAsync("{\"lookback\":\"1h\"}");
        var context = await _factory.Server.SendAsync(c =>
        {
            c.Request.Method = method;
            c.Request.Path = new Uri("http://x" + path).AbsolutePath;
            c.Request.QueryString = new Microsoft.AspNetCore.Http.QueryString(new Uri("http://x" + path).Query);
            c.Connection.RemoteIpAddress = IPAddress.Loopback;
        });

        Assert.Equal(404, context.Response.StatusCode);
    }

    [Theory]
    [InlineData("{\"lookback\":\"1x\"}", "lookback")]
    [InlineData("{\"from\":\"yesterday\",\"to\":\"2025-01-01T00:00:00Z\"}", "from")]
    [InlineData("{\"lookback\":\"1h\",\"from\":\"2025-01-01T00:00:00Z\"}", "lookback")]
    [InlineData("{\"lookback\":\"1h\",\"label\":\"a\\u0001b\"}", "label")]
    public async Task PostSnapshots_Answers400NamingTheField_WhenWindowOrLabelIsBad(string body, string field)
    {
        using var client = _factory.CreateClient();

        var response = await client.PostAsync("/snapshots", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(field, problem.RootElement.GetProperty("parameter").GetString());
        Assert.StartsWith(field + ": ", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/graph/diff?base=1h", "head")]
    [InlineData("/graph/diff?base=1h&head=soon", "head")]
    [InlineData("/graph/diff?base=2025-01-01T00:00Z/then&head=1", "base")]
    [InlineData("/snapshots?page=0", "page")]
    [InlineData("/snapshots?pageSize=1000", "pageSize")]
    [InlineData("/graph/snapshot.json?lookback=forever", "lookback")]
    public async Task Queries_Answer400NamingTheParameter_WhenWindowOrPageIsBad(string path, string parameter)
    {
        using var client = _factory.CreateClient();

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(parameter, problem.RootElement.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task Delete_NeedsLocalRequestOrToken_AndRemovesTheSnapshotAndItsFiles()
    {
        var taken = await TakeAsync("{\"lookback\":\"1h\",\"label\":\"gone\"}");
        var id = taken.GetProperty("id").GetInt64();
        var stem = taken.GetProperty("fileStem").GetString();

        var refused = await DeleteFromElsewhereAsync(id, token: null);
        var wrongToken = await DeleteFromElsewhereAsync(id, "guess");
        var accepted = await DeleteFromElsewhereAsync(id, "s3cret");

        Assert.Equal((403, 403, 204), (refused, wrongToken, accepted));
        Assert.False(File.Exists(Path.Combine(Graphs, stem + ".json")));
        using var client = _factory.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/snapshots/{id}")).StatusCode);
        Assert.DoesNotContain(stem!, await File.ReadAllTextAsync(Path.Combine(Graphs, "index.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAndRead_ServeNewestFirstAndEveryFormat_WhenSnapshotsExist()
    {
        var (@base, head) = await TakeBaseAndHeadAsync();
        using var client = _factory.CreateClient();

        using var page = JsonDocument.Parse(await client.GetStringAsync("/snapshots?pageSize=1"));
        var dot = await client.GetStringAsync($"/snapshots/{@base}.dot");
        var mmd = await client.GetStringAsync($"/snapshots/{@base}.mmd");
        var json = await client.GetByteArrayAsync($"/snapshots/{@base}.json");

        Assert.Equal(2, page.RootElement.GetProperty("total").GetInt32());
        Assert.Equal(head, page.RootElement.GetProperty("items")[0].GetProperty("id").GetInt64());
        Assert.StartsWith("digraph depmap {", dot, StringComparison.Ordinal);
        Assert.Contains("legacy", dot, StringComparison.Ordinal);
        Assert.StartsWith("flowchart LR", mmd, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Graphs, "20241231T2300Z-base.json")), json);
    }

    [Fact]
    public async Task GraphSnapshot_IsTheSnapshotFormat_WhenTheCliAsksForTheCurrentGraph()
    {
        await SnapshotTraffic.SendAsync(_factory, head: false, SnapshotTraffic.BaseHour, 0x300);
        await _factory.AggregateAsync();
        using var client = _factory.CreateClient();
        var window = $"from={SnapshotTraffic.Iso(SnapshotTraffic.BaseHour)}&to={SnapshotTraffic.Iso(SnapshotTraffic.BaseHour.AddHours(1))}";

        var snapshot = SnapshotJson.Read(await client.GetByteArrayAsync($"/graph/snapshot.json?{window}&label=ci"));

        Assert.Equal("ci", snapshot.Label);
        Assert.Equal(TimeSpan.FromHours(1), snapshot.Window);
        Assert.Equal(3, snapshot.Figures.Edges.Count);
        Assert.Equal(0, await SnapshotCountAsync());
    }

    private async Task<(long Base, long Head)> TakeBaseAndHeadAsync()
    {
        await SnapshotTraffic.SendAsync(_factory, head: false, SnapshotTraffic.BaseHour, 0x1000);
        await SnapshotTraffic.SendAsync(_factory, head: true, SnapshotTraffic.HeadHour, 0x2000);
        await _factory.AggregateAsync();
        var @base = await TakeAsync(SnapshotTraffic.Window(SnapshotTraffic.BaseHour) + ",\"label\":\"base\"}");
        var head = await TakeAsync(SnapshotTraffic.Window(SnapshotTraffic.HeadHour) + ",\"label\":\"head\"}");
        return (@base.GetProperty("id").GetInt64(), head.GetProperty("id").GetInt64());
    }

    private async Task<JsonElement> TakeAsync(string body)
    {
        using var client = _factory.CreateClient();
        var response = await client.PostAsync("/snapshots", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var view = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"/snapshots/{view.GetProperty("id").GetInt64()}", response.Headers.Location!.ToString());
        return view;
    }

    private async Task<int> DeleteFromElsewhereAsync(long id, string? token)
    {
        var context = await _factory.Server.SendAsync(c =>
        {
            c.Request.Method = "DELETE";
            c.Request.Path = $"/snapshots/{id}";
            c.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");
            c.Connection.LocalIpAddress = IPAddress.Parse("192.0.2.1");
            if (token is not null)
            {
                c.Request.Headers.Authorization = "Bearer " + token;
            }
        });
        return context.Response.StatusCode;
    }

    private Task<int> SnapshotCountAsync() => _factory.WithDbAsync(db => Task.FromResult(db.Snapshots.Count()));

    private static string[] SnapshotFiles() => ["json", "dot", "svg", "mmd"];

    private static List<string?> Names(JsonElement nodes) => [.. nodes.EnumerateArray().Select(n => n.GetProperty("name").GetString())];

    private static List<string> Edges(JsonElement edges) => [.. edges.EnumerateArray().Select(Edge)];

    private static string Edge(JsonElement edge) => $"{edge.GetProperty("source").GetString()}>{edge.GetProperty("target").GetString()}";
}
