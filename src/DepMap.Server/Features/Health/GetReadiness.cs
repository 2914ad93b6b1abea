using DepMap.Server.Features.Graph;
using DepMap.Storage.Aggregation;
using Mediator;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Features.Health;

/// <summary>Is this instance ready: storage reachable, the aggregation keeping up, Graphviz's <c>dot</c> present.</summary>
internal sealed record GetReadiness : IRequest<Readiness>;

/// <summary>The answer of <c>/readyz</c>: ready when every check passes, with each check's detail.</summary>
internal sealed record Readiness(bool Ready, StorageCheck Storage, LagCheck AggregationLag, DotCheck Dot);

internal sealed record StorageCheck(bool Ok, string? Error);

internal sealed record LagCheck(bool Ok, double? Seconds, double MaxSeconds, int TracesWaiting);

internal sealed record DotCheck(bool Ok, string Path, string? Found);

internal sealed class GetReadinessHandler(
    IAggregationEngine engine,
    IOptions<HealthOptions> health,
    IOptions<GraphOptions> graph,
    TimeProvider time,
    ILogger<GetReadinessHandler> logger) : IRequestHandler<GetReadiness, Readiness>
{
    public async ValueTask<Readiness> Handle(GetReadiness request, CancellationToken cancellationToken)
    {
        var maxLag = health.Value.MaxAggregationLagSeconds;
        StorageCheck storage;
        LagCheck lag;
        try
        {
            var backlog = await engine.ReadBacklogAsync(cancellationToken);
            storage = new StorageCheck(true, null);
            var seconds = backlog.LagSeconds(time.GetUtcNow().ToUnixTimeMilliseconds());
            lag = new LagCheck(seconds <= maxLag, seconds, maxLag, backlog.TracesWaiting);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Not ready is the answer, not an error: a load balancer asks this exactly when things break.
            HealthLog.StorageUnreachable(logger, exception);
            storage = new StorageCheck(false, exception.Message);
            lag = new LagCheck(false, null, maxLag, 0);
        }
        var dotPath = graph.Value.DotPath;
        var found = Executables.Find(dotPath);
        var dot = new DotCheck(found is not null, dotPath, found);
        return new Readiness(storage.Ok && lag.Ok && dot.Ok, storage, lag, dot);
    }
}

internal static partial class HealthLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Readiness: storage is not reachable")]
    public static partial void StorageUnreachable(ILogger logger, Exception exception);
}
