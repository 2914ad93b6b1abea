using DepMap.Storage.Spans;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.Aggregation;

/// <summary>
/// The settled range of the span table, in batches, on a connection of its own; for a flush, read one
/// batch ahead: reading and decoding a batch takes about a fifth of a run, and it then overlaps the
/// linking of the batches before it instead of waiting its turn.
/// </summary>
internal sealed class SpanBatches : IAsyncDisposable
{
    private readonly DepMapDbContext _db;
    private readonly SpanTableReader _reader;
    private readonly long _endId;
    private readonly int _batchSize;
    private readonly bool _readAhead;
    private Task<List<StoredSpan>>? _ahead;
    private long _afterId;

    private SpanBatches(DepMapDbContext db, long endId, int batchSize, bool readAhead)
    {
        _readAhead = readAhead;
        _db = db;
        _reader = new SpanTableReader(db);
        _endId = endId;
        _batchSize = batchSize;
    }

    /// <summary>Opens the spans with ids in (<paramref name="afterId"/>, <paramref name="endId"/>]; with <paramref name="readAhead"/>, starts reading.</summary>
    public static async Task<SpanBatches> OpenAsync(DbContextOptions<DepMapDbContext> options, long afterId, long endId, int batchSize, bool readAhead, CancellationToken cancellationToken)
    {
        var db = new DepMapDbContext(options);
        await db.Database.OpenConnectionAsync(cancellationToken);
        await SqliteTuning.TuneAsync(db, cancellationToken);
        var batches = new SpanBatches(db, endId, batchSize, readAhead) { _afterId = afterId };
        if (readAhead)
        {
            batches._ahead = batches.ReadAsync(afterId);
        }
        return batches;
    }

    /// <summary>The next batch (empty once the range is read); reading ahead, the read of the one after it started.</summary>
    public async Task<List<StoredSpan>> NextAsync()
    {
        if (!_readAhead)
        {
            var read = _afterId == long.MinValue ? [] : _reader.ReadRange(_afterId, _endId, _batchSize);
            _afterId = read.Count == _batchSize ? read[^1].RowId : long.MinValue;
            return read;
        }
        var batch = await _ahead!;
        _ahead = batch.Count == _batchSize ? ReadAsync(batch[^1].RowId) : Task.FromResult(new List<StoredSpan>());
        return batch;
    }

    private Task<List<StoredSpan>> ReadAsync(long afterId) => Task.Run(() => _reader.ReadRange(afterId, _endId, _batchSize));

    public async ValueTask DisposeAsync()
    {
        if (_ahead is not null)
        {
            // The connection goes only once no read is using it; a failed read already ended the run.
            await _ahead.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
        _reader.Dispose();
        await _db.DisposeAsync();
    }
}
