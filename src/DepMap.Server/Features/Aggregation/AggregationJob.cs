using Hangfire;
using Mediator;

namespace DepMap.Server.Features.Aggregation;

/// <summary>The recurring aggregation: sends the same request as <c>POST /api/aggregate</c>.</summary>
internal sealed class AggregationJob(ISender sender)
{
    public const string Id = "aggregate-spans";

    // One run at a time across Hangfire workers; a run waiting longer than this fails and the next
    // occurrence picks the work up, since every run takes whatever is pending.
    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(CancellationToken cancellationToken) =>
        await sender.Send(new AggregateSpans(Flush: false), cancellationToken);
}
