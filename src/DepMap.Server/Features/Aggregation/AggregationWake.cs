using Mediator;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Features.Aggregation;

/// <summary>
/// Ingest's commits, told to the aggregation inside the process: the span writer calls
/// <see cref="Committed"/> after each group commit, and <see cref="AggregationWake"/> takes the
/// earliest commit not yet waited for. A signal rather than polling, so an idle server does nothing.
/// </summary>
internal sealed class SpansCommitted : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly Lock _gate = new();
    private long? _earliest;

    /// <summary>Spans received at <paramref name="receivedAtUnixMs"/> are committed (durable).</summary>
    public void Committed(long receivedAtUnixMs)
    {
        lock (_gate)
        {
            if (_earliest is not null)
            {
                return;
            }
            _earliest = receivedAtUnixMs;
        }
        _signal.Release();
    }

    /// <summary>Waits for a commit and returns the receive time of the earliest one since the last call.</summary>
    public async Task<long> TakeAsync(CancellationToken cancellationToken)
    {
        await _signal.WaitAsync(cancellationToken);
        lock (_gate)
        {
            var earliest = _earliest ?? 0;
            _earliest = null;
            return earliest;
        }
    }

    public void Dispose() => _signal.Dispose();
}

/// <summary>
/// Runs the aggregation as soon as committed spans can be linked: a run links every complete trace
/// at once, so it starts right after a commit (no sooner than
/// <see cref="AggregationOptions.WakeIntervalSeconds"/> after the previous run), and again when the
/// earliest pending (incomplete) trace's grace, <see cref="AggregationOptions.SettleSeconds"/>, ends,
/// so an incomplete trace with no later span is linked then rather than by the recurring job. It
/// sends the same request as the recurring job, which stays as the backstop for anything a wake
/// misses (a crash). Under steady load the runs follow each other at the interval, so a complete
/// trace is counted about an interval plus a run's time after its acknowledgement. With several
/// instances on PostgreSQL a wake may find another instance's run under way; that run may have read
/// before this instance's commits, so the wake tries again after the interval instead of leaving
/// them to the recurring job (15 s or more later).
/// </summary>
internal sealed partial class AggregationWake(
    SpansCommitted commits,
    IServiceScopeFactory scopes,
    IOptions<AggregationOptions> options,
    TimeProvider time,
    ILogger<AggregationWake> logger) : BackgroundService
{
    // The clock that stamps arrivals and the one the run cuts the grace with are the same, but a run
    // started on the exact millisecond would still leave that trace for the next one.
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(50);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.WakeOnIngest)
        {
            return;
        }
        var grace = TimeSpan.FromSeconds(settings.SettleSeconds);
        var interval = TimeSpan.FromSeconds(settings.WakeIntervalSeconds);
        var nextAllowed = DateTimeOffset.MinValue;
        var deferred = false;
        DateTimeOffset? graceEnds = null;
        try
        {
            while (true)
            {
                if (!deferred)
                {
                    await CommitOrAsync(graceEnds, stoppingToken);
                }
                var wait = nextAllowed - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, stoppingToken);
                }
                var result = await RunAsync(stoppingToken);
                deferred = result?.Deferred ?? false;
                // After a failed run (null) the recurring job or the next commit tries again.
                graceEnds = result?.PendingSinceUnixMs is { } since ? DateTimeOffset.FromUnixTimeMilliseconds(since) + grace + Margin : null;
                nextAllowed = time.GetUtcNow() + interval;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Waits for the next commit, or until <paramref name="until"/> when a pending trace's grace ends then.</summary>
    private async Task CommitOrAsync(DateTimeOffset? until, CancellationToken stoppingToken)
    {
        if (until is not { } end)
        {
            await commits.TakeAsync(stoppingToken);
            return;
        }
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var commit = commits.TakeAsync(either.Token);
        var wait = end - time.GetUtcNow();
        var graceEnded = Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, time, either.Token);
        await Task.WhenAny(commit, graceEnded);
        await either.CancelAsync();
        // The loser is cancelled (a cancelled take leaves the commit's signal for the next one).
        await Task.WhenAll(commit, graceEnded).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        stoppingToken.ThrowIfCancellationRequested();
    }

    /// <summary>Runs once; null when the run failed.</summary>
    private async Task<AggregationResult?> RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<ISender>().Send(new AggregateSpans(Flush: false), stoppingToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // The spans stay pending: the next wake or the recurring job links them.
            LogRunFailed(logger, exception);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "An aggregation run woken by ingest failed; the next run takes its spans")]
    private static partial void LogRunFailed(ILogger logger, Exception exception);
}
