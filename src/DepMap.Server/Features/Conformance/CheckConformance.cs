using System.Text;
using DepMap.Core.Conformance;
using DepMap.Core.Graph;
using DepMap.Rendering;
using DepMap.Server.Features.Graph;
using DepMap.Server.Features.Snapshots;
using DepMap.Storage;
using Mediator;

namespace DepMap.Server.Features.Conformance;

/// <summary>The declared model judged by a window's graph or a stored snapshot's, as conformance JSON or an SVG in conformance colours.</summary>
internal sealed record CheckConformance(long? ModelId, DiffSide Observed, bool Svg) : IRequest<ConformanceAnswer>;

/// <summary>The body, or why there is none (no model, no such snapshot): a 404's detail.</summary>
internal sealed record ConformanceAnswer(byte[]? Body, string? Missing);

internal sealed class CheckConformanceHandler(DepMapDbContext db, DeclaredFiles files, StatisticsWindows windows, GraphvizRenderer renderer)
    : IRequestHandler<CheckConformance, ConformanceAnswer>
{
    public async ValueTask<ConformanceAnswer> Handle(CheckConformance request, CancellationToken cancellationToken)
    {
        var (model, modelName, missing) = await files.ModelAsync(request.ModelId, cancellationToken);
        if (model is null)
        {
            return new ConformanceAnswer(null, missing);
        }
        ServiceGraph graph;
        ObservedWindow window;
        if (request.Observed.SnapshotId is { } id)
        {
            if (await SnapshotRows.FindAsync(db, id, cancellationToken) is not { } stored)
            {
                return new ConformanceAnswer(null, $"snapshot {id} does not exist");
            }
            graph = stored.Snapshot.Graph!;
            window = new ObservedWindow($"snapshot {id}", stored.Row.FromUnixMs, stored.Row.ToUnixMs, stored.Snapshot.Window);
        }
        else
        {
            var span = request.Observed.Window!.Value;
            var statistics = await windows.ReadAsync(windows.Version, span, cancellationToken);
            graph = windows.GraphOf(statistics);
            window = ObservedWindow.Between($"{QueryWindow.Iso(span.From)}/{QueryWindow.Iso(span.To)}", span.From, span.To);
        }
        var report = ConformanceCheck.Run(
            model, ObservedGraph.From(graph, window), await files.RulesAsync(cancellationToken), await files.MappingAsync(cancellationToken));
        if (!request.Svg)
        {
            return new ConformanceAnswer(ConformanceJsonWriter.WriteUtf8(report, modelName), null);
        }
        var svg = await renderer.RenderSvgAsync(ConformanceDotWriter.Write(graph, report), cancellationToken);
        return new ConformanceAnswer(Encoding.UTF8.GetBytes(svg.Svg), null);
    }
}
