using DepMap.Server.Tests.Features.Metrics;

namespace DepMap.Server.Tests.Hosting;

/// <summary>
/// The garbage collector's settings of the built server, read back from the runtime through
/// /metrics of a real server process: a test host shares the test runner's collector, so only a
/// process of its own shows what the server's runtime configuration and its environment did.
/// </summary>
public sealed class CollectorSettingsTests
{
    [Fact]
    public async Task BuiltServer_RunsDatas_ByDefault()
    {
        // Whatever the test runner's environment says, the built server's own configuration decides.
        var metrics = await ScrapeServerAsync(new Dictionary<string, string?>
        {
            ["DOTNET_GCDynamicAdaptationMode"] = null,
            ["DOTNET_GCGen0MaxBudget"] = null,
        });

        // The server's default: the classic heaps peaked 30-90 MiB higher over ten minutes of ingest,
        // within 5% of the 1 GiB bound (docs/benchmarks.md).
        Assert.Equal(1, metrics.Value("depmap_gc_dynamic_adaptation"));
        // The collector's own cap (200 MiB on a 2-core machine), larger than the rebuild's below.
        Assert.InRange(metrics.Value("depmap_gc_gen0_max_budget_bytes")!.Value, (96 << 20) + 1, 1L << 40);
    }

    [Fact]
    public async Task BuiltServer_RunsTheClassicHeapsWithTheirCap_WhenStartedForARebuildAsTheReadmeSays()
    {
        var metrics = await ScrapeServerAsync(new Dictionary<string, string?>
        {
            ["DOTNET_GCDynamicAdaptationMode"] = "0",
            ["DOTNET_GCGen0MaxBudget"] = "0x6000000",
        });

        Assert.Equal(0, metrics.Value("depmap_gc_dynamic_adaptation"));
        Assert.Equal(96 << 20, metrics.Value("depmap_gc_gen0_max_budget_bytes"));
    }

    private static async Task<MetricsText> ScrapeServerAsync(IReadOnlyDictionary<string, string?> environment)
    {
        await using var server = await ServerProcess.StartWithEnvironmentAsync(environment);
        using var client = new HttpClient { BaseAddress = server.Address };
        return await MetricsText.ScrapeAsync(client);
    }
}
