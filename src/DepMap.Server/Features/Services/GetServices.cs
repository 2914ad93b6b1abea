using DepMap.Server.Features.Graph;
using Mediator;

namespace DepMap.Server.Features.Services;

/// <summary>Every node of a window with its statistics, by name.</summary>
internal sealed record GetServices(QueryWindow Window) : IRequest<IReadOnlyList<ServiceView>>;

internal sealed class GetServicesHandler(StatisticsWindows windows) : IRequestHandler<GetServices, IReadOnlyList<ServiceView>>
{
    public async ValueTask<IReadOnlyList<ServiceView>> Handle(GetServices request, CancellationToken cancellationToken)
    {
        var statistics = await windows.ReadAsync(windows.Version, request.Window, cancellationToken);
        var services = statistics.Reliability.Services;
        return [.. windows.GraphOf(statistics).Nodes.Select(node => ServiceView.Of(node, services.GetValueOrDefault(node.Name)))];
    }
}
