using DepMap.Core.Snapshots;
using DepMap.Storage;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Server.Features.Snapshots;

/// <summary>
/// At start, writes the files of every stored snapshot that lacks them. A snapshot's row commits
/// before its files are written, so a crash (or a full disk) in between leaves a snapshot the API
/// lists but <c>graphs/</c> does not hold; the row has everything the files are drawn from.
/// Runs off the start-up path, under the same lock as taking and deleting snapshots.
/// </summary>
internal sealed partial class SnapshotRepair(IServiceScopeFactory scopes, SnapshotFiles files, ILogger<SnapshotRepair> logger) : BackgroundService
{
    private readonly TaskCompletionSource<int> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How many snapshots had their files written again (-1 when the repair failed).</summary>
    public Task<int> Completion => _completion.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            _completion.TrySetResult(await RepairAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _completion.TrySetResult(0);
        }
        catch (Exception e)
        {
            // The snapshots stay stored and served from their rows; only the files wait for another start.
            LogFailed(logger, e);
            _completion.TrySetResult(-1);
        }
    }

    private async Task<int> RepairAsync(CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<DepMapDbContext>();
        using var _ = await files.LockAsync(cancellationToken);
        var rows = await SnapshotRows.AllWithoutBodiesAsync(db, cancellationToken);
        var missing = rows.Where(row => !files.HasFiles(row)).Select(row => row.Id).ToList();
        foreach (var id in missing)
        {
            var row = await db.Snapshots.AsNoTracking().FirstAsync(s => s.Id == id, cancellationToken);
            await files.WriteAsync(row, SnapshotJson.Read(row.Body), latest: id == rows[^1].Id, cancellationToken);
            LogRepaired(logger, id, row.FileStem);
        }
        if (missing.Count > 0)
        {
            await files.WriteIndexAsync(rows, cancellationToken);
        }
        return missing.Count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Snapshot {Id} was stored without its files (a crash or a write failure); wrote {Stem}.* from the stored row")]
    private static partial void LogRepaired(ILogger logger, long id, string stem);

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing the missing snapshot files failed; the snapshots are still served from the database")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
