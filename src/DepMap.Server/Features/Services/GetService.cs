using DepMap.Server.Features.Graph;
using Mediator;

namespace DepMap.Server.Features.Services;

/// <summary>One node of a window with its callers and callees; null when the window has no such node.</summary>
internal sealed record GetService(string Name, QueryWindow Window) : IRequest<ServiceDetail?>;

internal sealed class GetServiceHandler(StatisticsWindows windows) : IRequestHandler<GetService, ServiceDetail?>
{
    public async ValueTask<ServiceDetail?> Handle(GetService request, CancellationToken cancellationToken)
    {
        var statistics = await windows.ReadAsync(windows.Version, request.Window, cancellationToken);
        var graph = windows.GraphOf(statistics);
        if (graph.FindNode(request.Name) is not { } node)
        {
            return null;
        }
        return new ServiceDetail(
            ServiceView.Of(node, statistics.Reliability.Services.GetValueOrDefault(node.Name)),
            [.. graph.Graph.InEdges(node).OrderBy(e => e.Key).Select(e => PeerView.Of(e.Source.Name, e.Statistics))],
            [.. graph.Graph.OutEdges(node).OrderBy(e => e.Key).Select(e => PeerView.Of(e.Target.Name, e.Statistics))]);
    }
}
