namespace DepMap.Server.Features.Ingest;

/// <summary>
/// Little's law on the request bodies that are read in full and not yet answered (waiting to be
/// decoded, queued, being committed): their bytes over the bytes per second such bodies are answered
/// at, measured over the last second or so of quarter-second windows in which some were waiting. This is the wait the span writer
/// cannot see: on a server short of CPU, admitted bodies wait longer to be decoded than to be
/// committed. Bodies still being uploaded are not counted, so a slow client delays nobody else.
/// </summary>
internal sealed class ReadyBodies(TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(250);

    // Each window's weight against the history. Sums rather than an average of window rates: the
    // span writer answers in bursts, one per group commit, so many windows answer nothing and
    // averaging their rates would read a steady server as a slow one.
    private const double Decay = 0.75;

    private readonly Lock _sampling = new();
    private long _bytes;
    private long _answered;
    private long _windowStart = time.GetTimestamp();
    private long _answeredAtStart;
    private bool _waitingAtStart;
    private double _answeredSum;
    private double _secondsSum;
    private double _rate;

    /// <summary>Bytes of bodies read in full and not yet answered.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Bytes of such bodies answered per second while some waited; 0 until measured.</summary>
    public double BytesPerSecond => Volatile.Read(ref _rate);

    public void Read(long bytes) => Interlocked.Add(ref _bytes, bytes);

    public void Answered(long bytes)
    {
        Interlocked.Add(ref _bytes, -bytes);
        Interlocked.Add(ref _answered, bytes);
    }

    /// <summary>How long the bodies waiting now will take to be answered; zero when none wait or the rate is not known yet.</summary>
    public TimeSpan PredictedWait()
    {
        Sample();
        var bytes = Bytes;
        var rate = BytesPerSecond;
        return bytes > 0 && rate > 0 ? TimeSpan.FromSeconds(bytes / rate) : TimeSpan.Zero;
    }

    // Sampled by the requests themselves (no timer): under overload they arrive many times a window.
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
            var answered = Interlocked.Read(ref _answered);
            var waiting = Bytes > 0;
            // Only a window with bodies waiting at both ends measures the rate: an idle spell in it
            // would read as a slow server.
            if (_waitingAtStart && waiting && elapsed < 4 * Window)
            {
                _answeredSum = _answeredSum * Decay + (answered - _answeredAtStart);
                _secondsSum = _secondsSum * Decay + elapsed.TotalSeconds;
                Volatile.Write(ref _rate, _answeredSum / _secondsSum);
            }
            Interlocked.Exchange(ref _windowStart, now);
            _answeredAtStart = answered;
            _waitingAtStart = waiting;
        }
        finally
        {
            _sampling.Exit();
        }
    }
}
