using System.Globalization;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Features.Ingest;

/// <summary>
/// The byte budget of ingest (<see cref="IngestOptions.MaxBufferedBytes"/>): every request reserves
/// its body's size before the body is read, by its declared length (Content-Length, or the gRPC
/// message prefix), and holds it until it is answered, through decoding and the wait for the commit.
/// A request that does not fit is refused at once, so overload costs a header's parsing rather
/// than a body's reading and decoding, and memory held by bodies stays under the budget however
/// many clients send at once. Before the bytes, a request is refused when those admitted before it
/// would keep it waiting too long (<see cref="DelayRefusal"/>), so the requests admitted are the
/// ones that will be answered promptly. The span queue (<see cref="SpanWriter"/>) stays as the last limit.
/// </summary>
internal sealed class IngestAdmission(IOptions<IngestOptions> options, SpanWriter writer, TimeProvider time)
{
    private readonly long _capacity = options.Value.MaxBufferedBytes;
    private readonly TimeSpan _maxDelay = options.Value.MaxQueueDelay;
    private long _held;
    private long _reservedSinceTrim;
    private long _lastReleasedAt = time.GetTimestamp();
    private readonly ReadyBodies _ready = new(time);
    private readonly RefusalBackoff _backoff = new(options.Value.RetryAfterSeconds, options.Value.MaxRetryAfterSeconds, time);

    /// <summary>The buffers admitted bodies are read into, as many as the budget holds.</summary>
    public BodyBuffers Buffers { get; } = new(options.Value.MaxBufferedBytes);

    /// <summary>The budget, in bytes.</summary>
    public long Capacity => _capacity;

    /// <summary>Bytes reserved right now.</summary>
    public long HeldBytes => Interlocked.Read(ref _held);

    /// <summary>
    /// Why a request arriving now is refused, unread, because its predicted wait is past
    /// Ingest:MaxQueueDelay; null when it may go on. The prediction is the longer of the span
    /// writer's (<see cref="SpanWriter.PredictedWait"/>) and that of the bodies read and waiting
    /// (<see cref="ReadyBodies"/>). Admitting past it would only lengthen the wait of everything
    /// admitted before: the server accepts no more spans per second for the extra work.
    /// </summary>
    public string? DelayRefusal()
    {
        if (_maxDelay <= TimeSpan.Zero)
        {
            return null;
        }
        var queued = writer.PredictedWait;
        var ready = _ready.PredictedWait();
        var wait = queued > ready ? queued : ready;
        return wait <= _maxDelay
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"Ingest would take about {wait.TotalSeconds:0.0} s to answer this request, past its limit of {_maxDelay.TotalSeconds:0.###} s (setting Ingest:MaxQueueDelay); retry later.");
    }

    /// <summary>Reserves <paramref name="bytes"/>, or null when they do not fit in the budget now.</summary>
    public BodyReservation? TryReserve(long bytes)
    {
        var reservation = new BodyReservation(this);
        if (!reservation.TryGrow(bytes))
        {
            return null;
        }
        _backoff.Taken();
        return reservation;
    }

    /// <summary>
    /// Counts a refusal by the budget or the predicted wait and gives the Retry-After to answer it
    /// with (<see cref="RefusalBackoff"/>): longer while more requests are refused than taken.
    /// </summary>
    /// <remarks>
    /// The refused body's declared bytes still count as activity for <see cref="TakeActivity"/>: the
    /// server drains them through its buffers all the same.
    /// </remarks>
    public int RefusedRetryAfterSeconds(long declaredBytes)
    {
        Interlocked.Add(ref _reservedSinceTrim, Math.Max(declaredBytes, 0));
        Interlocked.Exchange(ref _lastReleasedAt, time.GetTimestamp());
        return _backoff.Refused();
    }

    /// <summary>Bytes reserved (or refused) since the last call, and when the last reservation was given back (or a request refused).</summary>
    public (long Reserved, long LastReleasedAt) TakeActivity() =>
        (Interlocked.Exchange(ref _reservedSinceTrim, 0), Interlocked.Read(ref _lastReleasedAt));

    internal void Read(long bytes) => _ready.Read(bytes);

    internal void Answered(long bytes) => _ready.Answered(bytes);

    internal bool TryAdd(long bytes)
    {
        if (Interlocked.Add(ref _held, bytes) > _capacity)
        {
            Interlocked.Add(ref _held, -bytes);
            return false;
        }
        Interlocked.Add(ref _reservedSinceTrim, bytes);
        return true;
    }

    internal void Remove(long bytes)
    {
        Interlocked.Add(ref _held, -bytes);
        Interlocked.Exchange(ref _lastReleasedAt, time.GetTimestamp());
    }
}

/// <summary>Bytes held in <see cref="IngestAdmission"/>'s budget; Dispose gives them back.</summary>
internal sealed class BodyReservation(IngestAdmission admission) : IDisposable
{
    private long _bytes;
    private bool _read;

    public long Bytes => _bytes;

    /// <summary>The body is read in full: from now on it waits on the server, not on its client.</summary>
    public void MarkRead()
    {
        if (!_read && _bytes > 0)
        {
            _read = true;
            admission.Read(_bytes);
        }
    }

    /// <summary>Reserves <paramref name="more"/> bytes besides those held, if they fit.</summary>
    public bool TryGrow(long more)
    {
        if (more <= 0)
        {
            return true;
        }
        if (!admission.TryAdd(more))
        {
            return false;
        }
        _bytes += more;
        return true;
    }

    public void Dispose()
    {
        if (_bytes > 0)
        {
            if (_read)
            {
                admission.Answered(_bytes);
            }
            admission.Remove(_bytes);
            _bytes = 0;
        }
    }
}
