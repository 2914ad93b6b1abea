using System.Text;
using DepMap.Core.Diff;
using DepMap.Core.Snapshots;
using DepMap.Rendering;
using DepMap.Server.Features.Graph;
using DepMap.Server.Features.Metrics;
using DepMap.Storage;
using Mediator;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Features.Snapshots;

/// <summary>What changed from <see cref="Base"/> to <see cref="Head"/>, each a stored snapshot or a window, as diff JSON or an SVG picture.</summary>
internal sealed record DiffGraphs(DiffSide Base, DiffSide Head, bool Svg) : IRequest<DiffAnswer>;

/// <summary>The body, or the snapshot id that does not exist.</summary>
internal sealed record DiffAnswer(byte[]? Body, long? MissingId);

internal sealed class DiffGraphsHandler(DepMapDbContext db, GraphvizRenderer renderer, IOptions<GraphOptions> graph, DepMapMetrics metrics) : IRequestHandler<DiffGraphs, DiffAnswer>
{
    public async ValueTask<DiffAnswer> Handle(DiffGraphs request, CancellationToken cancellationToken)
    {
        var before = await LoadAsync(request.Base, cancellationToken);
        if (before.Snapshot is null)
        {
            return new DiffAnswer(null, request.Base.SnapshotId);
        }
        var after = await LoadAsync(request.Head, cancellationToken);
        if (after.Snapshot is null)
        {
            return new DiffAnswer(null, request.Head.SnapshotId);
        }
        var diff = GraphDiff.Compare(before.Snapshot.Figures, after.Snapshot.Figures);
        if (!request.Svg)
        {
            return new DiffAnswer(DiffJsonWriter.WriteUtf8(diff, DiffSource.Of(before.Snapshot, before.Name), DiffSource.Of(after.Snapshot, after.Name)), null);
        }
        var dot = DiffDotWriter.Write(before.Snapshot.Graph!, after.Snapshot.Graph!, diff);
        var svg = await metrics.RenderAsync(() => renderer.RenderSvgAsync(dot, cancellationToken));
        return new DiffAnswer(Encoding.UTF8.GetBytes(svg.Svg), null);
    }

    private async Task<(Snapshot? Snapshot, string Name)> LoadAsync(DiffSide side, CancellationToken cancellationToken)
    {
        if (side.SnapshotId is { } id)
        {
            return ((await SnapshotRows.FindAsync(db, id, cancellationToken))?.Snapshot, $"snapshot {id}");
        }
        var window = side.Window!.Value;
        var statistics = await db.ReadGraphAsync(graph.Value, window.From, window.To, cancellationToken);
        return (Snapshot.Of(statistics, window.Span), $"{QueryWindow.Iso(window.From)}/{QueryWindow.Iso(window.To)}");
    }
}
