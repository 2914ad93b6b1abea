using System.Net;
using DepMap.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace DepMap.Server.Tests.Hosting;

[Trait("Provider", "Sqlite")]
public class WalCheckpointerTests
{
    [Fact]
    public async Task Checkpointer_CopiesTheWholeLogIntoTheFile_AfterIngest()
    {
        using var factory = new DepMapFactory(DepMapFactory.NewFolder(), ownsFolder: true, new() { ["Storage:CheckpointIntervalMs"] = "50" });
        var client = factory.CreateClient();
        for (var i = 0; i < 20; i++)
        {
            var response = await client.PostAsync("/api/v2/spans", Payloads.Utf8(Payloads.ZipkinTrace(Payloads.NewTraceIdLow())), "application/json");
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
        var checkpointer = factory.Services.GetRequiredService<WalCheckpointer>();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (checkpointer.Last is not { LogFrames: > 0 } last || last.CheckpointedFrames != last.LogFrames)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the log was not checkpointed: {checkpointer.Last}");
            await Task.Delay(50);
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("120000")]
    public void Start_FailsNamingTheKey_WhenTheIntervalIsOutOfRange(string interval)
    {
        using var factory = new DepMapFactory(DepMapFactory.NewFolder(), ownsFolder: true, new() { ["Storage:CheckpointIntervalMs"] = interval });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("Storage:CheckpointIntervalMs", error.ToString(), StringComparison.Ordinal);
    }
}
