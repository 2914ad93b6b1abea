using DepMap.Storage;
using DepMap.Storage.Spans;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Server.Features.Aggregation;

/// <summary>
/// The settled range of the span table, in batches, read one batch ahead on a connection of its own:
/// reading and decoding a batch takes about a fifth of a run, and it overlaps the linking of the
/// batches before it instead of waiting its turn.
/// </summary>
internal sealed class SpanBatches : IAsyncDisposable
{
    private readonly DepMapDbContext _db;
    private readonly SpanTableReader _reader;
    private readonly long _endId;
    private readonly int _batchSize;
    private Task<List<StoredSpan>>? _ahead;

    private SpanBatches(DepMapDbContext db, long endId, int batchSize)
    {
        _db = db;
        _reader = new SpanTableReader(db);
        _endId = endId;
        _batchSize = batchSize;
    }

    /// <summary>Starts reading the spans with ids in (<paramref name="afterId"/>, <paramref name="endId"/>].</summary>
    public static async Task<SpanBatches> OpenAsync(DbContextOptions<DepMapDbContext> options, long afterId, long endId, int batchSize, CancellationToken cancellationToken)
    {
        var db = new DepMapDbContext(options);
        await db.Database.OpenConnectionAsync(cancellationToken);
        await AggregateSpansHandler.TuneAsync(db, cancellationToken);
        var batches = new SpanBatches(db, endId, batchSize);
        batches._ahead = batches.ReadAsync(afterId);
        return batches;
    }

    /// <summary>The next batch (empty once the range is read), and the read of the one after it started.</summary>
    public async Task<List<StoredSpan>> NextAsync()
    {
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
