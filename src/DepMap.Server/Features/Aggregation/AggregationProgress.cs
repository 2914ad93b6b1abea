using Microsoft.Extensions.Primitives;

namespace DepMap.Server.Features.Aggregation;

/// <summary>
/// Tells in-process readers (the rendered-graph cache) that the statistics changed. The version only
/// moves after a run's transaction has committed, so a reader that sees a new version and then
/// queries the database sees that run's statistics.
/// </summary>
internal sealed class AggregationProgress : IDisposable
{
    private readonly Lock _gate = new();
    private CancellationTokenSource _changed = new();
    private long _version;

    /// <summary>Increases by one after every committed run that changed the statistics.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Raised after <see cref="Version"/> has moved, with the new version, on the aggregation's thread.</summary>
    public event Action<long>? Advanced;

    /// <summary>A token that fires at the next change (for <see cref="ChangeToken.OnChange(Func{IChangeToken?}, Action)"/>).</summary>
    public IChangeToken Watch()
    {
        lock (_gate)
        {
            return new CancellationChangeToken(_changed.Token);
        }
    }

    /// <summary>Called by the aggregation once a run that changed the statistics has committed.</summary>
    public void StatisticsChanged()
    {
        CancellationTokenSource fired;
        long version;
        lock (_gate)
        {
            version = Interlocked.Increment(ref _version);
            fired = _changed;
            _changed = new CancellationTokenSource();
        }
        // Not disposed: a token handed out earlier may still be registered on after it fired.
        fired.Cancel();
        Advanced?.Invoke(version);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _changed.Dispose();
        }
    }
}
