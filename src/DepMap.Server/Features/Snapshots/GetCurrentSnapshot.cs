using DepMap.Core.Snapshots;
using DepMap.Server.Features.Graph;
using DepMap.Storage;
using Mediator;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Features.Snapshots;

/// <summary>A window's graph in the snapshot format, not stored: what <c>depmap snapshot</c> and <c>depmap diff --head URL</c> read.</summary>
internal sealed record GetCurrentSnapshot(QueryWindow Window, string? Label) : IRequest<byte[]>;

internal sealed class GetCurrentSnapshotHandler(DepMapDbContext db, IOptions<GraphOptions> graph) : IRequestHandler<GetCurrentSnapshot, byte[]>
{
    public async ValueTask<byte[]> Handle(GetCurrentSnapshot request, CancellationToken cancellationToken)
    {
        var statistics = await db.ReadGraphAsync(graph.Value, request.Window.From, request.Window.To, cancellationToken);
        return SnapshotJson.WriteUtf8(Snapshot.Of(statistics, request.Window.Span, request.Label));
    }
}
