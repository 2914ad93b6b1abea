namespace DepMap.Storage.Aggregation;

/// <summary>
/// A run's range of the span table, in batches, read by a store on a connection of its own; for a
/// flush, read one batch ahead: reading and decoding a batch takes about a fifth of a run, and it
/// then overlaps the linking of the batches before it instead of waiting its turn.
/// </summary>
internal sealed class SpanBatches : IAsyncDisposable
{
    private readonly Func<SpanPosition, int, SpanBatch> _read;
    private readonly IAsyncDisposable _connection;
    private readonly int _batchSize;
    private readonly bool _readAhead;
    private Task<SpanBatch>? _ahead;
    private SpanPosition? _after;

    /// <summary>
    /// Batches read by <paramref name="read"/> (the spans past a position, at most a count, up to the
    /// range's end) on <paramref name="connection"/>, which goes with these batches; with
    /// <paramref name="readAhead"/>, starts reading.
    /// </summary>
    public SpanBatches(Func<SpanPosition, int, SpanBatch> read, IAsyncDisposable connection, SpanPosition after, int batchSize, bool readAhead)
    {
        _read = read;
        _connection = connection;
        _batchSize = batchSize;
        _readAhead = readAhead;
        _after = after;
        if (readAhead)
        {
            _ahead = ReadAsync(after);
        }
    }

    /// <summary>The next batch (empty once the range is read); reading ahead, the read of the one after it started.</summary>
    public async Task<SpanBatch> NextAsync()
    {
        if (!_readAhead)
        {
            if (_after is not { } after)
            {
                return new SpanBatch([], default);
            }
            var read = _read(after, _batchSize);
            _after = read.Spans.Count == _batchSize ? read.End : null;
            return read;
        }
        var batch = await _ahead!;
        _ahead = batch.Spans.Count == _batchSize ? ReadAsync(batch.End) : Task.FromResult(new SpanBatch([], batch.End));
        return batch;
    }

    private Task<SpanBatch> ReadAsync(SpanPosition after) => Task.Run(() => _read(after, _batchSize));

    public async ValueTask DisposeAsync()
    {
        if (_ahead is not null)
        {
            // The connection goes only once no read is using it; a failed read already ended the run.
            await _ahead.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
        await _connection.DisposeAsync();
    }
}
