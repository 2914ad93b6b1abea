using System.Diagnostics;
using System.Threading.Channels;
using DepMap.Server.Features.Aggregation;
using DepMap.Server.Features.Metrics;
using DepMap.Storage.Spans;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Features.Ingest;

/// <summary>What became of spans handed to the <see cref="SpanWriter"/>.</summary>
internal enum WriteOutcome
{
    Committed,
    QueueFull,
    Unavailable,
    /// <summary>Storage refused the commit for a reason an operator can fix (<see cref="SpanWriter.LastFault"/> says which).</summary>
    StorageFault,
}

/// <summary>
/// The single writer of the span table, with group commit: requests enqueue their encoded spans
/// and wait; the writer takes everything queued, inserts it in one transaction and completes every
/// waiter only after that transaction has committed, so an acknowledgement always means durable.
/// One writer because SQLite has one write lock anyway, and because ids then follow commit order.
/// </summary>
internal sealed partial class SpanWriter(
    ISpanStorage storage,
    IOptions<IngestOptions> options,
    TimeProvider time,
    DepMapMetrics metrics,
    SpansCommitted commits,
    ILogger<SpanWriter> logger) : BackgroundService
{
    // Not SingleReader: admission looks at the oldest write (PredictedWait) from every request's
    // thread, and the single-reader queue tolerates one reader only; a look racing the loop's read
    // saw a null write and the request got a 500 (SpanWriterTests).
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>();
    private readonly int _capacity = options.Value.QueueCapacitySpans;
    private readonly CommitDelay _delay = new();
    // Spans queued plus spans in the transaction being written: the memory the queue holds.
    private int _pendingSpans;
    private long _lastReceivedAt;
    private StorageFault? _lastFault;

    /// <summary>Spans queued or being committed right now.</summary>
    public int PendingSpans => Volatile.Read(ref _pendingSpans);

    /// <summary>
    /// How long a request arriving now would wait for its commit (<see cref="CommitDelay"/>): what
    /// admission compares with Ingest:MaxQueueDelay before it reads a body.
    /// </summary>
    public TimeSpan PredictedWait =>
        _delay.Predict(PendingSpans, _queue.Reader.TryPeek(out var oldest) ? time.GetElapsedTime(oldest.QueuedAt) : TimeSpan.Zero);

    /// <summary>Why the latest commit failed; null once a commit succeeds again.</summary>
    public StorageFault? LastFault => Volatile.Read(ref _lastFault);

    /// <summary>Completes once the spans are committed, or at once when the queue is full or the writer has stopped.</summary>
    public Task<WriteOutcome> WriteAsync(IReadOnlyList<EncodedSpan> spans)
    {
        if (spans.Count == 0)
        {
            return Task.FromResult(WriteOutcome.Committed);
        }
        var pending = Interlocked.Add(ref _pendingSpans, spans.Count);
        // A batch larger than the whole queue still goes through when nothing else waits.
        if (pending > _capacity && pending != spans.Count)
        {
            Interlocked.Add(ref _pendingSpans, -spans.Count);
            return Task.FromResult(WriteOutcome.QueueFull);
        }
        var write = new PendingWrite(spans, time.GetTimestamp());
        if (!_queue.Writer.TryWrite(write))
        {
            Interlocked.Add(ref _pendingSpans, -spans.Count);
            return Task.FromResult(WriteOutcome.Unavailable);
        }
        return write.Completion.Task;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stop taking writes, then let the loop commit what is already queued: those requests
        // are still waiting for their answer.
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            using var appender = storage.Open();
            await WriteQueuedAsync(appender);
        }
        finally
        {
            // Whatever ended the loop, nobody may wait forever for an answer.
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var write))
            {
                write.Completion.TrySetResult(WriteOutcome.Unavailable);
            }
        }
    }

    private async Task WriteQueuedAsync(ISpanCommits appender)
    {
        var group = new List<PendingWrite>();
        var batches = new List<IReadOnlyList<EncodedSpan>>();
        var backlog = false;
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            var started = Stopwatch.GetTimestamp();
            var spans = 0;
            while (_queue.Reader.TryRead(out var write))
            {
                group.Add(write);
                batches.Add(write.Spans);
                spans += write.Spans.Count;
            }
            var outcome = Commit(appender, batches);
            if (outcome == WriteOutcome.Committed)
            {
                _delay.Committed(spans, Stopwatch.GetElapsedTime(started), backlog);
            }
            // Writes that queued during this commit make the next one a measure of capacity.
            backlog = _queue.Reader.TryPeek(out _);
            Interlocked.Add(ref _pendingSpans, -spans);
            foreach (var write in group)
            {
                write.Completion.TrySetResult(outcome);
            }
            group.Clear();
            batches.Clear();
        }
    }

    private WriteOutcome Commit(ISpanCommits appender, List<IReadOnlyList<EncodedSpan>> batches)
    {
        // Non-decreasing with the row id even if the clock steps back, so retention can cut by id.
        var receivedAt = Math.Max(_lastReceivedAt, time.GetUtcNow().ToUnixTimeMilliseconds());
        try
        {
            var started = Stopwatch.GetTimestamp();
            if (appender.Commit(batches, receivedAt) is { } lost)
            {
                return Refuse(lost, batches);
            }
            metrics.Committed(Stopwatch.GetElapsedTime(started));
            _lastReceivedAt = receivedAt;
            Volatile.Write(ref _lastFault, null);
            commits.Committed(receivedAt);
            return WriteOutcome.Committed;
        }
        catch (Exception exception)
        {
            var fault = appender.Fault(exception);
            if (fault.Kind == StorageFaultKind.Other)
            {
                Volatile.Write(ref _lastFault, fault);
                LogCommitFailed(logger, exception, batches.Sum(b => b.Count));
                return WriteOutcome.Unavailable;
            }
            return Refuse(fault, batches);
        }
    }

    private WriteOutcome Refuse(StorageFault fault, List<IReadOnlyList<EncodedSpan>> batches)
    {
        Volatile.Write(ref _lastFault, fault);
        LogStorageFault(logger, batches.Sum(b => b.Count), fault.Message);
        return WriteOutcome.StorageFault;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Committing {SpanCount} spans failed: {Reason} Their requests are answered 503 with Retry-After")]
    private static partial void LogStorageFault(ILogger logger, int spanCount, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Committing {SpanCount} spans failed; their requests are answered as unavailable")]
    private static partial void LogCommitFailed(ILogger logger, Exception exception, int spanCount);

    private sealed class PendingWrite(IReadOnlyList<EncodedSpan> spans, long queuedAt)
    {
        public IReadOnlyList<EncodedSpan> Spans { get; } = spans;

        public long QueuedAt { get; } = queuedAt;

        // Asynchronous continuations: the waiting requests must not run on the writer's thread.
        public TaskCompletionSource<WriteOutcome> Completion { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
