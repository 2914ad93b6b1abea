using DepMap.Storage;
using Mediator;

namespace DepMap.Server.Features.Snapshots;

/// <summary>A stored snapshot in one format (json, dot, svg, mmd), drawn from its stored statistics; null when there is no such id.</summary>
internal sealed record GetSnapshotFile(long Id, string Format) : IRequest<byte[]?>;

internal sealed class GetSnapshotFileHandler(DepMapDbContext db, SnapshotFiles files) : IRequestHandler<GetSnapshotFile, byte[]?>
{
    public async ValueTask<byte[]?> Handle(GetSnapshotFile request, CancellationToken cancellationToken)
    {
        if (await SnapshotRows.FindAsync(db, request.Id, cancellationToken) is not { } found)
        {
            return null;
        }
        // The stored body is the JSON file itself: answering it as stored keeps the bytes the files have.
        return request.Format == "json" ? found.Row.Body : await files.RenderAsync(found.Snapshot, request.Format, cancellationToken);
    }
}
