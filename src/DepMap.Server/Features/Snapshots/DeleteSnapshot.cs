using DepMap.Storage;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Server.Features.Snapshots;

/// <summary>Removes a snapshot, its own files and its index entry; false when there is no such id.</summary>
internal sealed record DeleteSnapshot(long Id) : IRequest<bool>;

internal sealed class DeleteSnapshotHandler(DepMapDbContext db, SnapshotFiles files) : IRequestHandler<DeleteSnapshot, bool>
{
    public async ValueTask<bool> Handle(DeleteSnapshot request, CancellationToken cancellationToken)
    {
        using var _ = await files.LockAsync(cancellationToken);
        var stem = await db.Snapshots.Where(s => s.Id == request.Id).Select(s => s.FileStem).FirstOrDefaultAsync(cancellationToken);
        if (stem is null)
        {
            return false;
        }
        await db.Snapshots.Where(s => s.Id == request.Id).ExecuteDeleteAsync(cancellationToken);
        files.Delete(stem);
        await files.WriteIndexAsync(await SnapshotRows.AllWithoutBodiesAsync(db, cancellationToken), cancellationToken);
        return true;
    }
}
