using System.Net;
using Xunit.Abstractions;

namespace DepMap.Server.Tests.Faults;

/// <summary>
/// Data files made read-only or deleted under the running server: ingest answers 503 saying which
/// file and why (never a 500, never an acknowledgement of spans that are not on disk), /healthz
/// says Unhealthy, the process stays up, and it recovers: without a restart when the file is
/// writable again, with one (that succeeds) when the file is gone.
/// </summary>
[Trait("Category", "Faults")]
[Collection(FaultsCollection.Name)]
public sealed class StorageFaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Ingest_Answers503AndHealthzIsUnhealthy_WhenTheSpanFileIsDeletedAtRuntime()
    {
        var traffic = new FaultTraffic(FaultSeed.Value + 4);
        var folder = DepMapFactory.NewFolder();
        string refusal;
        using (var server = await ServerProcess.StartAsync(folder))
        {
            using var client = server.Client();
            Assert.Equal(HttpStatusCode.Accepted, await PostAsync(client, traffic, 0));

            foreach (var file in Directory.GetFiles(folder, "depmap.spans.db*"))
            {
                File.Delete(file);
            }
            using var response = await PostResponseAsync(client, traffic, 1);
            refusal = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.Contains("depmap.spans.db was deleted or moved", refusal, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/healthz")).StatusCode);
            // The aggregation and the checkpointer meet the fault too; the process must outlive them.
            await client.PostAsync("/api/aggregate?flush=true", null);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await PostAsync(client, traffic, 2));
            Assert.False(server.HasExited, server.LogText());
        }

        // A restart creates a new span file and takes spans again: no crash loop.
        using var restarted = await ServerProcess.StartAsync(folder);
        using var again = restarted.Client();
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, await PostAsync(again, traffic, 1));
        FaultSeed.Report(output, $"deleted span file: 503, /healthz Unhealthy, process up; restart serves again; refusal: {refusal}");
    }

    [SkippableFact]
    public async Task Ingest_Answers503UntilWritableAgainWithoutRestart_WhenDataFilesAreMadeReadOnly()
    {
        var traffic = new FaultTraffic(FaultSeed.Value + 5);
        var folder = DepMapFactory.NewFolder();
        using var server = await ServerProcess.StartAsync(folder);
        using var client = server.Client();
        Assert.Equal(HttpStatusCode.Accepted, await PostAsync(client, traffic, 0));
        var files = Directory.GetFiles(folder, "depmap*.db*").Where(f => !f.EndsWith("-shm", StringComparison.Ordinal)).ToList();
        var (done, reason) = FaultFolder.SetImmutable(files[0], true);
        FaultSeed.SkipUnless(output, done, "read-only files", $"chattr +i is not supported on this filesystem: {reason}");
        string refusal;
        try
        {
            foreach (var file in files.Skip(1))
            {
                FaultFolder.SetImmutable(file, true);
            }
            using var response = await PostResponseAsync(client, traffic, 1);
            refusal = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.Contains("read-only", refusal, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/healthz")).StatusCode);
            Assert.False(server.HasExited, server.LogText());
        }
        finally
        {
            foreach (var file in files)
            {
                FaultFolder.SetImmutable(file, false);
            }
        }

        Assert.Equal(HttpStatusCode.Accepted, await PostAsync(client, traffic, 1));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        server.Kill();
        var (stored, _) = StoredFiles.Spans(folder);
        Assert.Contains(traffic.TraceIdLow(0, 0), stored);
        Assert.Contains(traffic.TraceIdLow(1, 0), stored);
        FaultSeed.Report(output, $"read-only data files: 503, /healthz Unhealthy, process up; writable again: 202 without restart; refusal: {refusal}");
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient client, FaultTraffic traffic, int batch)
    {
        using var response = await PostResponseAsync(client, traffic, batch);
        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        return response.StatusCode;
    }

    private static async Task<HttpResponseMessage> PostResponseAsync(HttpClient client, FaultTraffic traffic, int batch)
    {
        var content = new ByteArrayContent(traffic.Batch(batch));
        content.Headers.ContentType = new("application/json");
        return await client.PostAsync("/api/v2/spans", content);
    }
}
