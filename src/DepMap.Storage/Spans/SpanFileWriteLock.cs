namespace DepMap.Storage.Spans;

/// <summary>
/// Taken by each of this process's writers of the span file (the span writer, retention's deletes)
/// around a write transaction, before SQLite's own write lock. SQLite lets one writer in at a time
/// and makes the others poll with its busy handler, whose sleeps grow to 25, 50 and 100 ms: a span
/// commit that waited out a 30 ms write woke up to 20 ms after the lock was free. Waiting here wakes
/// the next writer the moment the holder commits. Writers in other processes still meet SQLite's
/// busy handler.
/// </summary>
public sealed class SpanFileWriteLock : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);

    /// <summary>Waits for this process's write turn; dispose the result after the commit.</summary>
    public Releaser Enter()
    {
        _turn.Wait();
        return new Releaser(_turn);
    }

    /// <inheritdoc cref="Enter"/>
    public async Task<Releaser> EnterAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        return new Releaser(_turn);
    }

    public void Dispose() => _turn.Dispose();

    /// <summary>Gives the write turn back.</summary>
    public readonly struct Releaser(SemaphoreSlim turn) : IDisposable
    {
        public void Dispose() => turn.Release();
    }
}
