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
/// Runs the aggregation as soon as committed spans can be linked: a commit received at t is
/// linkable once its trace has been quiet for the settle time, so the run starts at t + settle (and
/// no sooner than <see cref="AggregationOptions.WakeIntervalSeconds"/> after the previous run). It
/// sends the same request as the recurring job, which stays as the backstop for anything a wake
/// misses (a crash). Under steady load the runs follow each other at the interval, so a span is
/// counted about settle + interval + a run's time after its acknowledgement. With several instances
/// on PostgreSQL a wake may find another instance's run under way; that run may have read before
/// this instance's commits, so the wake tries again after the interval instead of leaving them to
/// the recurring job (15 s or more later).
/// </summary>
internal sealed partial class AggregationWake(
    SpansCommitted commits,
    IServiceScopeFactory scopes,
    IOptions<AggregationOptions> options,
    TimeProvider time,
    ILogger<AggregationWake> logger) : BackgroundService
{
    // The clock that stamps commits and the one the run cuts the settled range with are the same,
    // but a run started on the exact millisecond would still leave that commit for the next one.
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(50);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.WakeOnIngest)
        {
            return;
        }
        var settle = TimeSpan.FromSeconds(settings.SettleSeconds);
        var interval = TimeSpan.FromSeconds(settings.WakeIntervalSeconds);
        var nextAllowed = DateTimeOffset.MinValue;
        long? deferred = null;
        try
        {
            while (true)
            {
                var earliestMs = deferred ?? await commits.TakeAsync(stoppingToken);
                var earliest = DateTimeOffset.FromUnixTimeMilliseconds(earliestMs);
                var due = Max(earliest + settle + Margin, nextAllowed);
                var wait = due - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, stoppingToken);
                }
                deferred = await RunAsync(stoppingToken) ? earliestMs : null;
                nextAllowed = time.GetUtcNow() + interval;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Runs once; true when another instance's run held the store and this one did nothing.</summary>
    private async Task<bool> RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var result = await scope.ServiceProvider.GetRequiredService<ISender>().Send(new AggregateSpans(Flush: false), stoppingToken);
            return result.Deferred;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // The spans stay pending: the next wake or the recurring job links them.
            LogRunFailed(logger, exception);
            return false;
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    [LoggerMessage(Level = LogLevel.Warning, Message = "An aggregation run woken by ingest failed; the next run takes its spans")]
    private static partial void LogRunFailed(ILogger logger, Exception exception);
}
