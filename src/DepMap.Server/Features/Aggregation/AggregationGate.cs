namespace DepMap.Server.Features.Aggregation;

/// <summary>
/// Keeps aggregation and retention runs of one process from overlapping: both move the same rows.
/// Hangfire's DisableConcurrentExecution covers the jobs; this also covers POST /api/aggregate.
/// </summary>
internal sealed class AggregationGate : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);

    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _semaphore.WaitAsync(cancellationToken);
        return new Release(_semaphore);
    }

    public void Dispose() => _semaphore.Dispose();

    private sealed class Release(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}
