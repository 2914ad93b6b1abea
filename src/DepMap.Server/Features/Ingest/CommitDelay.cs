namespace DepMap.Server.Features.Ingest;

/// <summary>
/// How long a request admitted now would wait for its commit, predicted from the span writer: the
/// spans pending divided by the rate the writer commits at, plus how long the oldest write not yet
/// taken into a commit has already waited. The second term is what grows when the writer is held
/// by something the rate cannot see (a lock, a slow disk); together they overstate a healthy
/// writer's wait by up to one commit, which errs towards refusing early rather than late.
/// <para>
/// The rate is measured only on commits that started with a backlog (writes were waiting when the
/// previous one ended): a writer that keeps up commits small groups whose fixed cost says nothing
/// of its capacity, and would make the first burst after a quiet spell look hopeless.
/// </para>
/// </summary>
internal sealed class CommitDelay
{
    // Each measured commit's weight against the history: the last few commits count.
    private const double Decay = 0.75;

    // Written by the span writer's one thread, read by every request.
    private double _spans;
    private double _seconds;
    private double _rate;

    /// <summary>Spans per second of commit time while the writer had a backlog; 0 until measured.</summary>
    public double SpansPerSecond => Volatile.Read(ref _rate);

    /// <summary>A commit of <paramref name="spans"/> took <paramref name="elapsed"/>; measured only when it started with a backlog.</summary>
    public void Committed(int spans, TimeSpan elapsed, bool hadBacklog)
    {
        if (!hadBacklog || spans <= 0 || elapsed <= TimeSpan.Zero)
        {
            return;
        }
        _spans = _spans * Decay + spans;
        _seconds = _seconds * Decay + elapsed.TotalSeconds;
        Volatile.Write(ref _rate, _spans / _seconds);
    }

    /// <summary>
    /// The predicted wait for a request arriving now, with <paramref name="pendingSpans"/> queued or
    /// being committed and the oldest write not yet taken into a commit queued <paramref name="waited"/> ago.
    /// </summary>
    public TimeSpan Predict(int pendingSpans, TimeSpan waited)
    {
        var rate = SpansPerSecond;
        var drain = rate > 0 && pendingSpans > 0 ? TimeSpan.FromSeconds(pendingSpans / rate) : TimeSpan.Zero;
        return waited + drain;
    }
}
