using DepMap.Core.Linking;
using DepMap.Storage;
using Mediator;

namespace DepMap.Server.Features.Dependencies;

/// <summary>Zipkin's dependency links (the Zipkin view) of a window, as Zipkin's and Jaeger's UIs read them.</summary>
internal sealed record GetDependencies(Graph.QueryWindow Window) : IRequest<IReadOnlyList<DependencyLink>>;

internal sealed class GetDependenciesHandler(DepMapDbContext db) : IRequestHandler<GetDependencies, IReadOnlyList<DependencyLink>>
{
    public async ValueTask<IReadOnlyList<DependencyLink>> Handle(GetDependencies request, CancellationToken cancellationToken) =>
        await db.ReadZipkinLinksAsync(request.Window.From, request.Window.To, cancellationToken);
}
