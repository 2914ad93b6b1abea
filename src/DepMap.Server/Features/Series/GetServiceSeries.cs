using DepMap.Core.Statistics;
using DepMap.Storage;
using Mediator;

namespace DepMap.Server.Features.Series;

/// <summary>A node's requests served, their errors and p99 per step.</summary>
internal sealed record GetServiceSeries(string Name, SeriesQuery Query) : IRequest<SeriesView>;

internal sealed class GetServiceSeriesHandler(DepMapDbContext db) : IRequestHandler<GetServiceSeries, SeriesView>
{
    public async ValueTask<SeriesView> Handle(GetServiceSeries request, CancellationToken cancellationToken)
    {
        var buckets = await db.ReadNodeBucketsAsync(request.Name, request.Query.Range, cancellationToken);
        var points = buckets.ToDictionary(b => b.StartUnixMs, b => Point(b.StartUnixMs, b.Node));
        return SeriesView.Of(request.Query, points);
    }

    private static SeriesPoint Point(long startMs, NodeStatistics node) => new(
        DateTimeOffset.FromUnixTimeMilliseconds(startMs), node.RequestsServed, node.ErrorCount, P99(node.Latency));

    public static double? P99(LatencySketch sketch) => sketch.IsEmpty ? null : Math.Round(sketch.Quantile(0.99) / 1e6, 3);
}
