namespace DepMap.Server.Features.Ingest;

/// <summary>
/// The Retry-After of a refusal before the body is read. Each refusal costs the server more than
/// its header: HTTP/1.1 keeps the connection by reading the unread body to its end, and refusing a
/// 190 KB body cost about 0.4-0.7 ms of CPU against 0.1 ms for a 4 KB one (docs/benchmarks.md).
/// With a fixed Retry-After of 1 s refused clients come back every second: at 1,000 concurrent
/// requests their 330-460 refusals a second took a third or more of the server's CPU from the
/// requests it could take. So while more requests are refused than taken in a second, the advice doubles, up to
/// <see cref="IngestOptions.MaxRetryAfterSeconds"/>; once refusals fall under a quarter of the
/// requests taken, it halves back toward <see cref="IngestOptions.RetryAfterSeconds"/>; in between
/// it holds. Without the band it swung between 2 and 4 s at 1,000 concurrent requests: at 4 s the
/// waiting clients came back more slowly than requests were taken, so it halved, and at 2 s faster,
/// so it doubled, and a refusal every 3 ms cost a tenth of a core (docs/benchmarks.md). OTLP
/// exporters and Zipkin reporters wait what Retry-After (or gRPC's RetryInfo) says, within their
/// own timeout, hence the small ceiling.
/// </summary>
internal sealed class RefusalBackoff(int minSeconds, int maxSeconds, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    private readonly int _min = minSeconds;
    private readonly int _max = maxSeconds;
    private readonly Lock _sampling = new();
    private long _refused;
    private long _taken;
    private long _windowStart = time.GetTimestamp();
    private int _seconds = minSeconds;

    /// <summary>The current advice, in seconds.</summary>
    public int Seconds => Volatile.Read(ref _seconds);

    /// <summary>A request was admitted.</summary>
    public void Taken() => Interlocked.Increment(ref _taken);

    /// <summary>A request is refused now: counts it and says how long its client should wait.</summary>
    public int Refused()
    {
        Interlocked.Increment(ref _refused);
        Sample();
        return Seconds;
    }

    // Sampled by the refusals themselves (no timer): the advice only matters while there are some.
    private void Sample()
    {
        var now = time.GetTimestamp();
        if (time.GetElapsedTime(Interlocked.Read(ref _windowStart), now) < Window || !_sampling.TryEnter())
        {
            return;
        }
        try
        {
            var elapsed = time.GetElapsedTime(_windowStart, now);
            if (elapsed < Window)
            {
                return;
            }
            var refused = Interlocked.Exchange(ref _refused, 0);
            var taken = Interlocked.Exchange(ref _taken, 0);
            var seconds = _seconds;
            // A window long past is a quiet spell: the overload it measured is over.
            Volatile.Write(ref _seconds, elapsed >= 3 * Window ? _min
                : refused > taken ? Math.Min(seconds * 2, _max)
                : refused * 4 < taken ? Math.Max(seconds / 2, _min)
                : seconds);
            Interlocked.Exchange(ref _windowStart, now);
        }
        finally
        {
            _sampling.Exit();
        }
    }
}
