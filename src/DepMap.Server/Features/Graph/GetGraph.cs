using System.Text;
using DepMap.Core.Graph;
using DepMap.Core.Writers;
using DepMap.Rendering;
using DepMap.Server.Features.Metrics;
using Mediator;

namespace DepMap.Server.Features.Graph;

/// <summary>The service graph of a window, drawn in one format.</summary>
internal sealed record GetGraph(GraphQuery Query, GraphFormat Format) : IRequest<GraphDocument>;

/// <summary>
/// The bytes to answer with; for SVG, the layout that drew it (anything but dot carries a note in
/// the picture). <see cref="FocusMissing"/>: the window has no node named by <c>focus</c>, so there
/// is nothing to draw around it (an empty picture would read as "no calls").
/// </summary>
internal sealed record GraphDocument(byte[] Body, GraphFormat Format, GraphLayout? Layout = null, bool FocusMissing = false);

internal sealed class GetGraphHandler(StatisticsWindows windows, QueryCache cache, GraphvizRenderer renderer, DepMapMetrics metrics)
    : IRequestHandler<GetGraph, GraphDocument>
{
    public async ValueTask<GraphDocument> Handle(GetGraph request, CancellationToken cancellationToken)
    {
        var version = windows.Version;
        return await cache.GetOrCreateAsync(
            Key(version, request),
            () => DrawAsync(version, request),
            document => document.Body.Length,
            cancellationToken);
    }

    public static object Key(long version, GetGraph request) => (nameof(GetGraph), version, request);

    // Not cancelled by the request: the drawing is shared by every request for the same view.
    private async Task<GraphDocument> DrawAsync(long version, GetGraph request)
    {
        var statistics = await windows.ReadAsync(version, request.Query.Window, CancellationToken.None);
        var whole = windows.GraphOf(statistics);
        // Grouped, focus names a namespace node, which only exists once the graph is grouped.
        var focusable = request.Query.GroupByNamespace ? whole.GroupByNamespace() : whole;
        if (request.Query.Focus is { } focus && focusable.FindNode(focus) is null)
        {
            return new GraphDocument([], request.Format, FocusMissing: true);
        }
        var graph = View(whole, request.Query);
        switch (request.Format)
        {
            case GraphFormat.Json:
                return new GraphDocument(JsonGraphWriter.WriteUtf8(graph), request.Format);
            case GraphFormat.Dot:
                return new GraphDocument(Encoding.UTF8.GetBytes(DotWriter.Write(graph)), request.Format);
            case GraphFormat.Mermaid:
                return new GraphDocument(Encoding.UTF8.GetBytes(MermaidWriter.Write(graph)), request.Format);
            default:
                var svg = await metrics.RenderAsync(() => renderer.RenderSvgAsync(graph, CancellationToken.None));
                return new GraphDocument(Encoding.UTF8.GetBytes(svg.Svg), request.Format, svg.Layout);
        }
    }

    public static ServiceGraph View(ServiceGraph graph, GraphQuery query)
    {
        if (query.GroupByNamespace)
        {
            graph = graph.GroupByNamespace();
        }
        if (query.Focus is { } focus)
        {
            graph = graph.Focus(focus, query.Depth, query.Direction);
        }
        return query.MinCalls > 0 ? graph.HideEdgesUnder(query.MinCalls) : graph;
    }
}
