using DepMap.Core.Linking;
using DepMap.Core.Statistics;
using DepMap.Server.Features.Aggregation;
using DepMap.Storage;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace DepMap.Server.Tests.Aggregation;

public class AggregationJobTests
{
    [Fact]
    public async Task RecurringJob_IsScheduledFromConfigurationAndAggregates_WhenTriggered()
    {
        // Hangfire's "never" (February 31st) as the configured schedule: only the trigger runs it.
        using var factory = new AggregationFactory(settings: new() { ["Aggregation:Cron"] = "0 0 31 2 *" });
        await AggregationTests.PostOtlpJsonAsync(factory, ExampleTraces.Otlp());
        factory.Clock.Advance(TimeSpan.FromSeconds(31));
        var progress = factory.Services.GetRequiredService<AggregationProgress>();
        var versionBefore = progress.Version;
        var changed = progress.Watch();

        using (var connection = factory.Services.GetRequiredService<JobStorage>().GetConnection())
        {
            var job = Assert.Single(connection.GetRecurringJobs(), j => j.Id == AggregationJob.Id);
            Assert.Equal("0 0 31 2 *", job.Cron);
        }
        factory.Services.GetRequiredService<IRecurringJobManager>().Trigger(AggregationJob.Id);
        GraphStatistics graph;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            await Task.Delay(100);
            graph = await factory.WithDbAsync(db => db.ReadGraphStatisticsAsync(ExampleTraces.Start, ExampleTraces.Start.AddMinutes(1)));
        }
        while (graph.IsEmpty && DateTime.UtcNow < deadline);

        var rpc = new EdgeKey("logistics", "tracking", ConnectionType.None);
        var failed = factory.Services.GetRequiredService<JobStorage>().GetMonitoringApi().FailedJobs(0, 10);
        Assert.True(graph.Edges.ContainsKey(rpc),
            $"edges: {string.Join(", ", graph.Edges.Keys)}; failed jobs: {string.Join("; ", failed.Select(f => f.Value.ExceptionMessage))}");
        Assert.Equal(1, graph.Edges[rpc].CallCount);
        Assert.Equal(versionBefore + 1, progress.Version);
        Assert.True(changed.HasChanged);
    }
}
