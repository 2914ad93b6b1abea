namespace DepMap.Server.Features.Aggregation;

/// <summary>
/// Keeps aggregation and retention runs of one process from overlapping: both move the same rows.
/// Hangfire's DisableConcurrentExecution covers the jobs; this also covers POST /api/aggregate.
/// </summary>
internal sealed class AggregationGate(TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);
    private readonly TimeProvider _time = time;
    private long _lastReleasedAt = time.GetTimestamp();

    /// <summary>A run (or retention) holds the gate now.</summary>
    public bool IsHeld => _semaphore.CurrentCount == 0;

    /// <summary>When the gate was last released (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long LastReleasedAt => Interlocked.Read(ref _lastReleasedAt);

    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _semaphore.WaitAsync(cancellationToken);
        return new Release(this);
    }

    public void Dispose() => _semaphore.Dispose();

    private sealed class Release(AggregationGate gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                Interlocked.Exchange(ref gate._lastReleasedAt, gate._time.GetTimestamp());
                gate._semaphore.Release();
            }
        }
    }
}
