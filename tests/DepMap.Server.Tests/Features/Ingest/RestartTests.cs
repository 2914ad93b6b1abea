using System.Net;

namespace DepMap.Server.Tests.Features.Ingest;

public class RestartTests
{
    [Fact]
    public async Task AcknowledgedSpans_AreStillStored_WhenHostRestartsOnTheSameFile()
    {
        var folder = DepMapFactory.NewFolder();
        var trace = Payloads.NewTraceIdLow();
        using (var first = new DepMapFactory(folder, ownsFolder: false, new()))
        {
            var response = await first.CreateClient().PostAsync("/api/v2/spans", Payloads.Utf8(Payloads.ZipkinTrace(trace)), "application/json");
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        using var second = new DepMapFactory(folder, ownsFolder: true, new());
        var stored = await second.StoredSpansAsync(trace);

        Assert.Equal(["frontend", "backend"], stored.Select(r => r.ToSpan().LocalService));
    }
}
