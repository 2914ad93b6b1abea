namespace DepMap.Rendering;

/// <summary>
/// Bounds the Graphviz layouts running at once: each render holds one slot from its first layout
/// to its last (they run one after another), a bounded number of renders wait for a slot, and the
/// rest are refused at once with <see cref="GraphvizBusyException"/>. Without it every distinct
/// request started its own dot or sfdp, and forty at once on two cores all missed the 10 s promise.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001",
    Justification = "SemaphoreSlim holds nothing to dispose unless its AvailableWaitHandle is used, and it never is here.")]
internal sealed class LayoutGate(GraphvizOptions options)
{
    private readonly SemaphoreSlim _slots = new(options.MaxConcurrentLayouts, options.MaxConcurrentLayouts);
    private int _waiting;

    /// <summary>A slot, held until disposed; throws <see cref="GraphvizBusyException"/> when none can be had in time.</summary>
    public async Task<IDisposable> EnterAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        if (!_slots.Wait(0, CancellationToken.None))
        {
            if (Interlocked.Increment(ref _waiting) > options.MaxQueuedLayouts)
            {
                Interlocked.Decrement(ref _waiting);
                throw Busy($"{options.MaxConcurrentLayouts} layouts are running and {options.MaxQueuedLayouts} waiting");
            }
            try
            {
                if (wait <= TimeSpan.Zero || !await _slots.WaitAsync(wait, cancellationToken))
                {
                    throw Busy($"no layout slot of {options.MaxConcurrentLayouts} freed within {wait.TotalSeconds:0.#} s");
                }
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }
        return new Slot(_slots);
    }

    private GraphvizBusyException Busy(string why) => new(
        $"Graphviz is busy: {why} (settings Graph:MaxConcurrentLayouts, Graph:MaxQueuedLayouts); retry shortly.")
    {
        RetryAfter = options.MaxLayoutWait > TimeSpan.FromSeconds(1) ? options.MaxLayoutWait : TimeSpan.FromSeconds(1),
    };

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
