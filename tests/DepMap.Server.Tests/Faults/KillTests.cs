using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DepMap.Server.Features.Snapshots;
using Xunit.Abstractions;

namespace DepMap.Server.Tests.Faults;

/// <summary>
/// SIGKILL of the real server process under load, at seeded random points, then a restart on the
/// same files and a flush: every acknowledged span is still there, and the statistics are
/// byte-identical to those of a fresh server fed exactly the acknowledged batches (none lost, none
/// counted twice, even for batches the client re-sent because their answer died with the process).
/// </summary>
[Trait("Category", "Faults")]
[Collection(FaultsCollection.Name)]
public sealed class KillTests(ITestOutputHelper output)
{
    private const int Workers = 4;

    [Fact]
    public async Task Statistics_EqualACleanRunOfTheAcknowledgedSpans_WhenKilledFiveTimesUnderLoad()
    {
        var random = new Random(FaultSeed.Value);
        var traffic = new FaultTraffic(FaultSeed.Value);
        var load = new LoadGenerator(traffic);
        var folder = DepMapFactory.NewFolder();
        var recoveries = new List<TimeSpan>();
        const int kills = 5;
        for (var kill = 0; kill < kills; kill++)
        {
            var restart = Stopwatch.StartNew();
            using var server = await ServerProcess.StartAsync(folder);
            if (kill > 0)
            {
                recoveries.Add(restart.Elapsed);
                AssertAcknowledgedAreStored(folder, traffic, load, $"after kill {kill}");
            }
            await load.DeliverRetriesAsync(server.Address);
            using var stop = new CancellationTokenSource();
            var running = load.RunAsync(server.Address, Workers, stop.Token);
            await WaitForAcknowledgementsAsync(load, load.Acknowledged.Count + 5, running);
            await Task.Delay(random.Next(0, 1_500));
            server.Kill();
            await running;
        }

        var (_, recovered) = await FinishAsync(folder, load);
        recoveries.Add(recovered);

        await AssertCleanRunAgreesAsync(folder, traffic, load, "five kills under load", kills, recoveries);
    }

    [Fact]
    public async Task Statistics_EqualACleanRunOfTheAcknowledgedSpans_WhenKilledDuringAnAggregationRun()
    {
        var random = new Random(FaultSeed.Value + 1);
        var traffic = new FaultTraffic(FaultSeed.Value + 1);
        var load = new LoadGenerator(traffic);
        var folder = DepMapFactory.NewFolder();
        var recoveries = new List<TimeSpan>();
        var killedRuns = 0;
        // Up to three tries for a kill to land inside a run; a run that ended first does not count.
        for (var attempt = 0; attempt < 3 && killedRuns < 1; attempt++)
        {
            var restart = Stopwatch.StartNew();
            using var server = await ServerProcess.StartAsync(folder);
            if (attempt > 0)
            {
                recoveries.Add(restart.Elapsed);
                AssertAcknowledgedAreStored(folder, traffic, load, "after a kill during aggregation");
            }
            await load.DeliverRetriesAsync(server.Address);
            // A backlog for the run to chew on, then more load while it runs.
            await load.RunAsync(server.Address, Workers, CancellationToken.None, maxBatches: load.Acknowledged.Count + 500);
            using var stop = new CancellationTokenSource();
            var running = load.RunAsync(server.Address, 2, stop.Token);
            using var client = server.Client();
            var aggregation = client.PostAsync("/api/aggregate?flush=true", null);
            await Task.Delay(random.Next(50, 600));
            var finished = aggregation.IsCompleted;
            server.Kill();
            await running;
            killedRuns += finished ? 0 : 1;
            await Task.WhenAny(aggregation);
        }
        Assert.True(killedRuns == 1, "no kill landed inside an aggregation run");

        var (_, recovered) = await FinishAsync(folder, load);
        recoveries.Add(recovered);
        await AssertCleanRunAgreesAsync(folder, traffic, load, "kills during aggregation runs", killedRuns, recoveries);
    }

    [Fact]
    public async Task Statistics_EqualACleanRunAndRestartSucceeds_WhenKilledDuringASnapshot()
    {
        var random = new Random(FaultSeed.Value + 2);
        var traffic = new FaultTraffic(FaultSeed.Value + 2);
        var load = new LoadGenerator(traffic);
        var folder = DepMapFactory.NewFolder();
        var recoveries = new List<TimeSpan>();
        var (from, to) = FaultTraffic.Window;
        var body = $$"""{"from":"{{from:O}}","to":"{{to:O}}","label":"killed"}""";
        var killedSnapshots = 0;
        for (var attempt = 0; attempt < 4 && killedSnapshots < 1; attempt++)
        {
            var restart = Stopwatch.StartNew();
            using var server = await ServerProcess.StartAsync(folder);
            if (attempt > 0)
            {
                recoveries.Add(restart.Elapsed);
                AssertAcknowledgedAreStored(folder, traffic, load, "after a kill during a snapshot");
                using var check = server.Client();
                Assert.Equal(HttpStatusCode.OK, (await check.GetAsync("/snapshots")).StatusCode);
            }
            await load.DeliverRetriesAsync(server.Address);
            await load.RunAsync(server.Address, Workers, CancellationToken.None, maxBatches: load.Acknowledged.Count + 100);
            using var client = server.Client();
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/aggregate?flush=true", null)).StatusCode);
            using var stop = new CancellationTokenSource();
            var running = load.RunAsync(server.Address, 2, stop.Token);
            var snapshot = client.PostAsync("/snapshots", new StringContent(body, Encoding.UTF8, "application/json"));
            // Snapshots are quick: the later tries aim earlier.
            await Task.Delay(random.Next(0, Math.Max(20, 300 >> attempt)));
            var finished = snapshot.IsCompleted;
            server.Kill();
            await running;
            killedSnapshots += finished ? 0 : 1;
            await Task.WhenAny(snapshot);
        }
        Assert.True(killedSnapshots >= 1, "no kill landed inside a snapshot");

        var (_, recovered) = await FinishAsync(folder, load);
        recoveries.Add(recovered);
        await AssertCleanRunAgreesAsync(folder, traffic, load, "kills during snapshots", killedSnapshots, recoveries);
    }

    [Fact]
    public async Task Restart_WritesAStoredSnapshotsFiles_WhenKilledAfterItsRowCommittedAndBeforeItsFiles()
    {
        var traffic = new FaultTraffic(FaultSeed.Value + 3);
        var folder = DepMapFactory.NewFolder();
        var graphs = Path.Combine(folder, "graphs");
        var (from, to) = FaultTraffic.Window;
        var body = $$"""{"from":"{{from:O}}","to":"{{to:O}}","label":"cut short"}""";
        string killedLog;
        using (var server = await ServerProcess.StartAsync(folder, $"--{SnapshotFaults.KillAfterRowSetting}=true"))
        {
            using var client = server.Client();
            for (var batch = 0; batch < 3; batch++)
            {
                using var spans = new ByteArrayContent(traffic.Batch(batch));
                spans.Headers.ContentType = new("application/json");
                Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/v2/spans", spans)).StatusCode);
            }
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/aggregate?flush=true", null)).StatusCode);

            // The answer dies with the process, which kills itself between the row's commit and the files.
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.PostAsync("/snapshots", new StringContent(body, Encoding.UTF8, "application/json")));
            Assert.True(server.ExitsWithin(TimeSpan.FromSeconds(30)), "the server lived on after the snapshot's row committed");
            killedLog = server.LogText();
        }
        var stored = Assert.Single(await StoredFiles.SnapshotsAsync(folder));
        Assert.Contains($"snapshot {stored.Id}'s row is committed", killedLog, StringComparison.Ordinal);
        Assert.True(stored.NodeCount > 0 && stored.EdgeCount > 0, "the snapshot holds no graph");
        Assert.All(SnapshotFiles.Formats, format => Assert.False(File.Exists(Path.Combine(graphs, $"{stored.FileStem}.{format}")), format));
        Assert.False(File.Exists(Path.Combine(graphs, "index.json")));

        var restart = Stopwatch.StartNew();
        using var restarted = await ServerProcess.StartAsync(folder);
        var listed = await WaitForIndexEntryAsync(graphs, stored.Id);
        var repaired = restart.Elapsed;

        Assert.Equal(stored.FileStem + ".json", listed);
        using var check = restarted.Client();
        var view = await check.GetFromJsonAsync<JsonElement>($"/snapshots/{stored.Id}");
        Assert.Equal(stored.FileStem, view.GetProperty("fileStem").GetString());
        foreach (var format in (string[])["json", "dot", "mmd"])
        {
            var served = await check.GetByteArrayAsync($"/snapshots/{stored.Id}.{format}");
            Assert.Equal(served, await File.ReadAllBytesAsync(Path.Combine(graphs, $"{stored.FileStem}.{format}")));
            Assert.Equal(served, await File.ReadAllBytesAsync(Path.Combine(graphs, $"latest.{format}")));
        }
        // The picture is Graphviz's; that it was drawn from the same row is what the other formats show.
        Assert.True(File.Exists(Path.Combine(graphs, $"{stored.FileStem}.svg")), "svg");
        Assert.Contains($"Snapshot {stored.Id} was stored without its files", restarted.LogText(), StringComparison.Ordinal);
        FaultSeed.Report(output,
            $"kill between a snapshot's row and its files: the row of snapshot {stored.Id} ({stored.NodeCount} nodes, {stored.EdgeCount} edges) stored without files; " +
            $"after the restart its files were written and indexed {repaired.TotalSeconds:F1} s after it began");
    }

    /// <summary>The file index.json lists for the snapshot, once the restarted server has written it (the repair writes the index after the files).</summary>
    private static async Task<string?> WaitForIndexEntryAsync(string graphs, long id)
    {
        var index = Path.Combine(graphs, "index.json");
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (File.Exists(index))
            {
                try
                {
                    using var json = JsonDocument.Parse(await File.ReadAllBytesAsync(index));
                    foreach (var entry in json.RootElement.GetProperty("snapshots").EnumerateArray())
                    {
                        if (entry.GetProperty("id").GetInt64() == id)
                        {
                            return entry.GetProperty("file").GetString();
                        }
                    }
                }
                catch (JsonException)
                {
                    // Caught half-written; the next look sees it whole.
                }
            }
            await Task.Delay(100);
        }
        Assert.Fail($"index.json did not list snapshot {id} within 30 s of the restart");
        return null;
    }

    /// <summary>A last restart: re-send what was in flight, flush, and stop.</summary>
    private static async Task<(int Batches, TimeSpan Recovered)> FinishAsync(string folder, LoadGenerator load)
    {
        var restart = Stopwatch.StartNew();
        using var server = await ServerProcess.StartAsync(folder);
        var recovered = restart.Elapsed;
        await load.DeliverRetriesAsync(server.Address);
        using var client = server.Client();
        var flush = await client.PostAsync("/api/aggregate?flush=true", null);
        Assert.True(flush.IsSuccessStatusCode, await flush.Content.ReadAsStringAsync());
        server.Kill();
        return (load.Acknowledged.Count, recovered);
    }

    private async Task AssertCleanRunAgreesAsync(string folder, FaultTraffic traffic, LoadGenerator load, string what, int kills, List<TimeSpan> recoveries)
    {
        var expected = await CleanRun.StatisticsAsync(traffic, load.Acknowledged);
        var actual = await StoredFiles.StatisticsAsync(folder);
        var (_, rows) = StoredFiles.Spans(folder);
        var acknowledgedSpans = (long)load.Acknowledged.Count * traffic.SpansPerBatch;
        FaultSeed.Report(output,
            $"{what}: {kills} kills, {acknowledgedSpans:N0} spans acknowledged ({load.Retries} batches re-sent after a kill), " +
            $"{rows:N0} span rows stored, {StoredFiles.CallsCounted(actual):N0} calls counted (clean run {StoredFiles.CallsCounted(expected):N0}), " +
            $"recovery (start to answering) {string.Join(", ", recoveries.Select(r => $"{r.TotalSeconds:F1} s"))}");
        Assert.NotEqual("", expected);
        Assert.Equal(expected, actual);
    }

    private static void AssertAcknowledgedAreStored(string folder, FaultTraffic traffic, LoadGenerator load, string when)
    {
        var (stored, _) = StoredFiles.Spans(folder);
        var lost = load.Acknowledged.Where(b => !stored.Contains(traffic.TraceIdLow(b, 0))).ToList();
        Assert.True(lost.Count == 0, $"{when}: {lost.Count} acknowledged batches are not stored (first {string.Join(", ", lost.Take(5))})");
    }

    private static async Task WaitForAcknowledgementsAsync(LoadGenerator load, int count, Task running)
    {
        var deadline = Stopwatch.StartNew();
        while (load.Acknowledged.Count < count)
        {
            Assert.False(running.IsCompleted, "the load stopped before the server acknowledged anything");
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "no acknowledgements within 60 s");
            await Task.Delay(20);
        }
    }
}

/// <summary>A fresh server fed exactly the given batches, flushed: the statistics a run without faults gives.</summary>
internal static class CleanRun
{
    public static Task<string> StatisticsAsync(FaultTraffic traffic, IEnumerable<int> batches) =>
        StatisticsAsync(batches.Order().Select(traffic.Batch));

    /// <summary>The same for half-batches (<see cref="FaultTraffic.Part"/>), all sent to the one instance.</summary>
    public static Task<string> StatisticsOfPartsAsync(FaultTraffic traffic, IEnumerable<(int Batch, int Part)> parts) =>
        StatisticsAsync(parts.Order().Select(p => traffic.Part(p.Batch, p.Part)));

    private static async Task<string> StatisticsAsync(IEnumerable<byte[]> payloads)
    {
        var clean = DepMapFactory.NewFolder();
        using (var server = await ServerProcess.StartAsync(clean))
        {
            using var client = server.Client();
            foreach (var payload in payloads)
            {
                using var content = new ByteArrayContent(payload);
                content.Headers.ContentType = new("application/json");
                Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/v2/spans", content)).StatusCode);
            }
            Assert.True((await client.PostAsync("/api/aggregate?flush=true", null)).IsSuccessStatusCode);
            server.Kill();
        }
        return await StoredFiles.StatisticsAsync(clean);
    }
}

/// <summary>The fault tests start real server processes: one at a time, not beside the other collections' hosts.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultsCollection
{
    public const string Name = "faults";
}
