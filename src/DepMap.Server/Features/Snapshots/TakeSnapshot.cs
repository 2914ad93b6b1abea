using DepMap.Core.Snapshots;
using DepMap.Server.Features.Graph;
using DepMap.Storage;
using DepMap.Storage.Snapshots;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Features.Snapshots;

/// <summary>
/// Take a snapshot of a window: its statistics are stored once, immutable, and written under the
/// snapshot directory. Sent by <c>POST /snapshots</c> and by every recurring snapshot job.
/// </summary>
internal sealed record TakeSnapshot(QueryWindow Window, string? Label) : IRequest<SnapshotView>;

internal sealed class TakeSnapshotHandler(DepMapDbContext db, SnapshotFiles files, TimeProvider time, IOptions<GraphOptions> graph,
    SnapshotFaults? faults = null)
    : IRequestHandler<TakeSnapshot, SnapshotView>
{
    public async ValueTask<SnapshotView> Handle(TakeSnapshot request, CancellationToken cancellationToken)
    {
        using var _ = await files.LockAsync(cancellationToken);
        var statistics = await db.ReadGraphAsync(graph.Value, request.Window.From, request.Window.To, cancellationToken);
        var snapshot = Snapshot.Of(statistics, request.Window.Span, request.Label);
        var previous = await db.Snapshots.AsNoTracking().OrderByDescending(s => s.Id).Select(s => s.TopologyHash).FirstOrDefaultAsync(cancellationToken);
        var stem = SnapshotFiles.Stem(request.Window.To, request.Label);
        var used = (await db.Snapshots.Where(s => s.FileStem == stem || s.FileStem.StartsWith(stem + "-"))
            .Select(s => s.FileStem).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var row = new SnapshotRow
        {
            TakenAtUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
            FromUnixMs = request.Window.From.ToUnixTimeMilliseconds(),
            ToUnixMs = request.Window.To.ToUnixTimeMilliseconds(),
            Label = request.Label,
            TopologyHash = snapshot.TopologyHash,
            ContentHash = snapshot.ContentHash!,
            SameTopologyAsPrevious = previous == snapshot.TopologyHash,
            // The same window and label again (a retried job, a second POST) gets its own files.
            FileStem = SnapshotFiles.FreeStem(stem, used),
            NodeCount = snapshot.Figures.Nodes.Count,
            EdgeCount = snapshot.Figures.Edges.Count,
            Body = SnapshotJson.WriteUtf8(snapshot),
        };
        db.Snapshots.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        faults?.AfterRowCommit(row.Id);
        // The row is the snapshot; the files are drawn from it. When they cannot be written now (a
        // full disk, a crash right here), the next start writes them from the row (SnapshotRepair).
        try
        {
            await files.WriteAsync(row, snapshot, latest: true, cancellationToken);
            await files.WriteIndexAsync(await SnapshotRows.AllWithoutBodiesAsync(db, cancellationToken), cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            files.LogNotWritten(row.Id, e);
        }
        return SnapshotView.Of(row);
    }
}
