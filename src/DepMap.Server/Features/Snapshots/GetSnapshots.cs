using DepMap.Storage;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Server.Features.Snapshots;

/// <summary>A page of snapshots, newest first.</summary>
internal sealed record GetSnapshots(int Page, int PageSize) : IRequest<SnapshotPage>;

/// <summary>One snapshot's description; null when there is no such id.</summary>
internal sealed record GetSnapshot(long Id) : IRequest<SnapshotView?>;

internal sealed class GetSnapshotsHandler(DepMapDbContext db) : IRequestHandler<GetSnapshots, SnapshotPage>, IRequestHandler<GetSnapshot, SnapshotView?>
{
    public async ValueTask<SnapshotPage> Handle(GetSnapshots request, CancellationToken cancellationToken)
    {
        var total = await db.Snapshots.CountAsync(cancellationToken);
        // In long: page 2147483647 of 200 is past any table, not (wrapped around in int) page 1.
        var skip = (request.Page - 1L) * request.PageSize;
        var rows = skip >= total ? [] : await SnapshotRows.WithoutBodies(db.Snapshots.AsNoTracking().OrderByDescending(s => s.Id)
            .Skip((int)skip).Take(request.PageSize)).ToListAsync(cancellationToken);
        return new SnapshotPage(request.Page, request.PageSize, total, [.. rows.Select(SnapshotView.Of)]);
    }

    public async ValueTask<SnapshotView?> Handle(GetSnapshot request, CancellationToken cancellationToken) =>
        await SnapshotRows.WithoutBodies(db.Snapshots.AsNoTracking().Where(s => s.Id == request.Id)).FirstOrDefaultAsync(cancellationToken) is { } row
            ? SnapshotView.Of(row)
            : null;
}
