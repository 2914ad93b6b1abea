using DepMap.Storage.Spans;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Hosting;

/// <summary>
/// Runs <see cref="WalCheckpoints"/> every <c>Storage:CheckpointIntervalMs</c>, so the span writer's
/// commits (which have it turned off) stay short whatever else writes to the database.
/// </summary>
internal sealed partial class WalCheckpointer(SpanStore store, IOptions<StorageOptions> options, ILogger<WalCheckpointer> logger) : BackgroundService
{
    private (int LogFrames, int CheckpointedFrames) _last;

    /// <summary>What the latest checkpoint found: the log's frames, and how many of them are in the database file.</summary>
    public (int LogFrames, int CheckpointedFrames) Last => _last;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var checkpoints = new WalCheckpoints(store.ConnectionString);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.CheckpointIntervalMs));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                _last = await Task.Run(checkpoints.Run, stoppingToken);
            }
            catch (SqliteException exception)
            {
                // The next tick tries again; the log only grows meanwhile.
                LogCheckpointFailed(logger, exception);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A WAL checkpoint failed; retrying at the next interval")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception);
}
