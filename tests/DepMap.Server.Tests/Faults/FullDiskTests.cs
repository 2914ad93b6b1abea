using System.Diagnostics;
using System.Net;
using Xunit.Abstractions;

namespace DepMap.Server.Tests.Faults;

/// <summary>
/// The data folder on a 16 MiB tmpfs, nearly filled by a ballast file: ingest fills the rest, then
/// answers 503 with Retry-After saying the disk is full (never a 500), keeps what it acknowledged,
/// and takes spans again as soon as the ballast is deleted, without a restart.
/// </summary>
[Trait("Category", "Faults")]
[Collection(FaultsCollection.Name)]
public sealed class FullDiskTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Ingest_Answers503WithRetryAfterAndResumesWithoutRestart_WhenTheDiskIsFull()
    {
        var (folder, reason) = FaultFolder.MountSmall(16);
        FaultSeed.SkipUnless(output, folder is not null, "full disk", $"mounting a small filesystem is not permitted here: {reason}");
        try
        {
            await RunAsync(folder);
        }
        finally
        {
            FaultFolder.Unmount(folder);
        }
    }

    private async Task RunAsync(string folder)
    {
        var traffic = new FaultTraffic(FaultSeed.Value + 3);
        using var server = await ServerProcess.StartAsync(folder);
        var ballast = Path.Combine(folder, "ballast");
        var free = new DriveInfo(folder).AvailableFreeSpace;
        await File.WriteAllBytesAsync(ballast, new byte[free - (1536 * 1024)]);
        using var client = server.Client(TimeSpan.FromSeconds(30));

        var acknowledged = new List<int>();
        var refused = new List<int>();
        var statuses = new Dictionary<HttpStatusCode, int>();
        string? refusal = null;
        var batch = 0;
        for (; batch < 5_000 && refused.Count < 5; batch++)
        {
            using var response = await PostAsync(client, traffic, batch);
            statuses[response.StatusCode] = statuses.GetValueOrDefault(response.StatusCode) + 1;
            Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                acknowledged.Add(batch);
                continue;
            }
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.True(response.Headers.RetryAfter is not null, "a 503 without Retry-After");
            refusal = await response.Content.ReadAsStringAsync();
            Assert.Contains("disk is full", refusal, StringComparison.Ordinal);
            refused.Add(batch);
        }
        Assert.True(refused.Count == 5, $"the disk never filled after {batch} batches");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/healthz")).StatusCode);
        Assert.False(server.HasExited);

        // Space comes back: the refused batches go through on the same process.
        File.Delete(ballast);
        var freed = Stopwatch.StartNew();
        foreach (var again in refused)
        {
            using var response = await PostAsync(client, traffic, again);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            acknowledged.Add(again);
        }
        var resumed = freed.Elapsed;
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        var flush = await client.PostAsync("/api/aggregate?flush=true", null);
        Assert.True(flush.IsSuccessStatusCode, await flush.Content.ReadAsStringAsync());
        server.Kill();

        var statistics = await StoredFiles.StatisticsAsync(folder);
        var clean = await CleanRun.StatisticsAsync(traffic, acknowledged);
        FaultSeed.Report(output,
            $"full disk: {acknowledged.Count * traffic.SpansPerBatch:N0} spans acknowledged, answers {string.Join(", ", statuses.Select(s => $"{(int)s.Key} x{s.Value}"))}, " +
            $"{StoredFiles.CallsCounted(statistics):N0} calls counted (clean run {StoredFiles.CallsCounted(clean):N0}), " +
            $"ingest resumed {resumed.TotalMilliseconds:F0} ms after space was freed, no restart; refusal: {refusal}");
        Assert.Equal(clean, statistics);
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, FaultTraffic traffic, int batch)
    {
        var content = new ByteArrayContent(traffic.Batch(batch));
        content.Headers.ContentType = new("application/json");
        return await client.PostAsync("/api/v2/spans", content);
    }
}
