using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Features.Graph;

/// <summary>
/// Query results by key, where every key holds the aggregation version it was computed at: a run
/// that commits bumps the version, so stale entries are simply never asked for again and age out.
/// Concurrent requests for the same key share one computation (one <c>dot</c> run, not ten), which
/// is not cancelled when one of the requests goes away.
/// </summary>
internal sealed class QueryCache : IDisposable
{
    // Entries outlive their version only if a query keeps them alive; this bounds how long a
    // change outside the aggregation (retention deleting old buckets) can go unseen.
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(10);

    private readonly MemoryCache _cache;
    private readonly ConcurrentDictionary<object, Lazy<Task<object>>> _inFlight = new();

    public QueryCache(IOptions<GraphOptions> options)
    {
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.Value.CacheMegabytes * 1024L * 1024L });
    }

    public bool Contains(object key) => _cache.TryGetValue(key, out _);

    /// <summary>The cached value, or <paramref name="create"/>'s (cached unless it throws).</summary>
    public async Task<T> GetOrCreateAsync<T>(object key, Func<Task<T>> create, Func<T, long> size, CancellationToken cancellationToken)
        where T : class
    {
        if (_cache.TryGetValue(key, out T? hit) && hit is not null)
        {
            return hit;
        }
        var flight = _inFlight.GetOrAdd(key, _ => new Lazy<Task<object>>(() => CreateAsync(key, create, size)));
        return (T)await flight.Value.WaitAsync(cancellationToken);
    }

    private async Task<object> CreateAsync<T>(object key, Func<Task<T>> create, Func<T, long> size)
        where T : class
    {
        try
        {
            var value = await create();
            _cache.Set(key, value, new MemoryCacheEntryOptions { Size = Math.Max(1, size(value)), AbsoluteExpirationRelativeToNow = MaxAge });
            return value;
        }
        finally
        {
            _inFlight.TryRemove(key, out _);
        }
    }

    public void Dispose() => _cache.Dispose();
}
