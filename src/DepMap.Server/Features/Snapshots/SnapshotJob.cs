using DepMap.Server.Features.Aggregation;
using Hangfire;
using Mediator;

namespace DepMap.Server.Features.Snapshots;

/// <summary>A recurring snapshot: aggregates what has settled, then sends the same request as <c>POST /snapshots</c>.</summary>
internal sealed class SnapshotJob(ISender sender, TimeProvider time)
{
    public static string Id(string schedule) => "snapshot-" + schedule;

    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(string lookback, string label, CancellationToken cancellationToken)
    {
        var window = SnapshotWindows.Read(lookback, null, null, time.GetUtcNow(), out var error)
            ?? throw new InvalidOperationException($"Snapshots:Schedules:{label}:Lookback: {error!.Reason}");
        await sender.Send(new AggregateSpans(Flush: false), cancellationToken);
        await sender.Send(new TakeSnapshot(window, label), cancellationToken);
    }
}
