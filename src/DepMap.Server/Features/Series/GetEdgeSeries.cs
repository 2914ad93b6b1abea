using DepMap.Core.Statistics;
using DepMap.Storage;
using Mediator;

namespace DepMap.Server.Features.Series;

/// <summary>
/// The calls from one node to another per step, every connection type summed (as the page draws
/// one edge per pair); p99 of the latency the caller waited, else the server's.
/// </summary>
internal sealed record GetEdgeSeries(string Source, string Target, SeriesQuery Query) : IRequest<SeriesView>;

internal sealed class GetEdgeSeriesHandler(DepMapDbContext db) : IRequestHandler<GetEdgeSeries, SeriesView>
{
    public async ValueTask<SeriesView> Handle(GetEdgeSeries request, CancellationToken cancellationToken)
    {
        var buckets = await db.ReadEdgeBucketsAsync(request.Source, request.Target, request.Query.Range, cancellationToken);
        var points = new Dictionary<long, SeriesPoint>();
        foreach (var group in buckets.GroupBy(b => b.StartUnixMs))
        {
            long calls = 0, errors = 0;
            var latency = new LatencySketch();
            foreach (var (_, edge) in group)
            {
                calls += edge.CallCount;
                errors += edge.ErrorCount;
                latency.Merge(edge.ClientLatency.IsEmpty ? edge.ServerLatency : edge.ClientLatency);
            }
            points[group.Key] = new SeriesPoint(DateTimeOffset.FromUnixTimeMilliseconds(group.Key), calls, errors, GetServiceSeriesHandler.P99(latency));
        }
        return SeriesView.Of(request.Query, points);
    }
}
