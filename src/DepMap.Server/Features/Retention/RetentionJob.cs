using Hangfire;
using Mediator;

namespace DepMap.Server.Features.Retention;

/// <summary>The recurring retention: deletes are idempotent, so a failed run is simply the next one's work.</summary>
internal sealed class RetentionJob(ISender sender)
{
    public const string Id = "apply-retention";

    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(CancellationToken cancellationToken) =>
        await sender.Send(new ApplyRetention(), cancellationToken);
}
