using System.Text;
using DepMap.Core.Conformance;
using DepMap.Server.Features.Graph;
using Mediator;

namespace DepMap.Server.Features.Conformance;

/// <summary>A window's observed graph as a declared model to seed a catalog with: Backstage entities or Structurizr DSL.</summary>
internal sealed record ExportGraph(QueryWindow Window, bool Backstage) : IRequest<byte[]>;

internal sealed class ExportGraphHandler(StatisticsWindows windows) : IRequestHandler<ExportGraph, byte[]>
{
    public async ValueTask<byte[]> Handle(ExportGraph request, CancellationToken cancellationToken)
    {
        var graph = windows.GraphOf(await windows.ReadAsync(windows.Version, request.Window, cancellationToken));
        return Encoding.UTF8.GetBytes(request.Backstage ? ModelExport.BackstageYaml(graph) : ModelExport.StructurizrDsl(graph));
    }
}
