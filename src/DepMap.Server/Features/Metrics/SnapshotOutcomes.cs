using DepMap.Server.Features.Snapshots;
using Mediator;

namespace DepMap.Server.Features.Metrics;

/// <summary>
/// Counts every <see cref="TakeSnapshot"/>'s outcome, from <c>POST /snapshots</c> and the recurring
/// jobs alike, around the handler rather than inside it.
/// </summary>
internal sealed class SnapshotOutcomes(DepMapMetrics metrics) : IPipelineBehavior<TakeSnapshot, SnapshotView>
{
    public async ValueTask<SnapshotView> Handle(TakeSnapshot message, MessageHandlerDelegate<TakeSnapshot, SnapshotView> next, CancellationToken cancellationToken)
    {
        SnapshotView view;
        try
        {
            view = await next(message, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            metrics.Snapshot("failed");
            throw;
        }
        metrics.Snapshot(view.SameTopologyAsPrevious ? "same_topology" : "changed");
        return view;
    }
}
