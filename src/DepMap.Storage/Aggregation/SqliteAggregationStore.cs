using DepMap.Storage.Spans;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.Aggregation;

/// <summary>
/// One run's SQLite connections: the context that reads and links, one that commits, and a third
/// for the span batches; each tuned by <see cref="SqliteTuning"/>. The mark is a span id alone: the
/// span file has one writer, which assigns ids in commit order.
/// </summary>
internal sealed class SqliteAggregationStore : IAggregationStore
{
    private readonly DbContextOptions<DepMapDbContext> _options;
    private readonly DepMapDbContext _db;
    private readonly DepMapDbContext _commits;
    private readonly SpanTableReader _spans;
    private readonly TraceRows _traces;
    private readonly TraceLinkRows _traceLinks;
    private readonly PendingTraces _state;

    private SqliteAggregationStore(DbContextOptions<DepMapDbContext> options, PendingTraces state)
    {
        _options = options;
        _state = state;
        _db = new DepMapDbContext(options);
        _commits = new DepMapDbContext(options);
        _spans = new SpanTableReader(_db);
        _traces = new TraceRows(_db);
        _traceLinks = new TraceLinkRows(_db);
    }

    public DepMapDbContext Reads => _db;

    /// <summary>Opens a run's store; <paramref name="state"/> is the process's, whose <see cref="PendingTraces.Runs"/> the run has read before it looks up or writes a trace row.</summary>
    public static async Task<SqliteAggregationStore> OpenAsync(DbContextOptions<DepMapDbContext> options, PendingTraces state, CancellationToken cancellationToken)
    {
        var store = new SqliteAggregationStore(options, state);
        try
        {
            await store._db.Database.OpenConnectionAsync(cancellationToken);
            await SqliteTuning.TuneAsync(store._db, cancellationToken);
            await store._commits.Database.OpenConnectionAsync(cancellationToken);
            await SqliteTuning.TuneAsync(store._commits, cancellationToken);
            return store;
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    public async Task<SpanPosition?> ReadMarkAsync(CancellationToken cancellationToken)
    {
        var mark = await _db.AggregationState.AsNoTracking()
            .Where(s => s.Id == AggregationStateRow.SingletonId)
            .Select(s => (long?)s.LastSpanId)
            .SingleOrDefaultAsync(cancellationToken);
        return mark is { } id ? new SpanPosition(0, id) : null;
    }

    /// <summary>
    /// One writer assigns ids in commit order, so every span up to the newest id is committed and
    /// none can appear below it: a settled run takes in up to the newest span when it starts (a
    /// fixed end, so a run under load does not chase ingest), a flush everything it finds.
    /// </summary>
    public Task<SpanPosition> ReadEndAsync(SpanPosition after, bool flush, HashSet<long> unsettledTraces, CancellationToken cancellationToken) =>
        Task.FromResult(new SpanPosition(0, flush ? long.MaxValue : Math.Max(after.Id, _spans.ReadLastId())));

    public List<TraceRow> ReadPending(long arrivedBy, (long Arrival, long TraceIdLow)? after, int limit) => _traces.ReadPending(arrivedBy, after, limit);

    public async Task<SpanBatches> OpenBatchesAsync(SpanPosition after, SpanPosition end, int batchSize, bool readAhead, CancellationToken cancellationToken)
    {
        var db = new DepMapDbContext(_options);
        await db.Database.OpenConnectionAsync(cancellationToken);
        await SqliteTuning.TuneAsync(db, cancellationToken);
        var reader = new BatchReader(db);
        return new SpanBatches((from, limit) => reader.Read(from, end, limit), reader, after, batchSize, readAhead);
    }

    public bool AnyTraceLinks() => _traceLinks.Any();

    public List<(long Target, long Source)> SourcesOf(IReadOnlyCollection<long> targets) => _traceLinks.SourcesOf(targets);

    /// <summary>A row in the by-id table (waiting there, or written before the runs) is a trace's newest; else its newest run's.</summary>
    public Dictionary<long, TraceRow> FindTraces(IReadOnlyCollection<long> traceIdLows)
    {
        var found = _traces.FindMany(traceIdLows);
        Runs.Find(_db, traceIdLows, found);
        return found;
    }

    private TraceRuns Runs => _state.Runs ?? throw new InvalidOperationException("The run reads the trace runs before it looks up or writes a trace row.");

    public Dictionary<long, Core.Spans.Span> ReadSpans(IReadOnlyCollection<long> rowIds)
    {
        ArgumentNullException.ThrowIfNull(rowIds);
        // A prepared point read each: in-process page reads, cheaper than handing SQLite a list.
        var spans = new Dictionary<long, Core.Spans.Span>(rowIds.Count);
        foreach (var rowId in rowIds)
        {
            if (_spans.ReadOne(rowId) is { } span)
            {
                spans[rowId] = span.Span;
            }
        }
        return spans;
    }

    public async Task CommitAsync(BatchRows rows, SpanPosition? from, SpanPosition to, Action beforeCommit, CancellationToken cancellationToken)
    {
        await using (var transaction = await _commits.Database.BeginTransactionAsync(cancellationToken))
        {
            // Compare and set: a second run that read the same spans (another process on the same
            // file) fails here instead of counting them twice.
            if (!AggregationMark.TryMove(_commits, from?.Id, to.Id))
            {
                throw new InvalidOperationException("Another aggregation moved the progress mark during this run; this batch was not linked.");
            }
            rows.Statistics.Write(_commits);
            // A trace still waiting keeps its row by id (the sweep reads them by arrival); a linked one goes into this commit's run.
            var waiting = rows.Traces.FindAll(row => row.Pending);
            if (waiting.Count > 0)
            {
                // From now on a linked trace may have a by-id row to delete.
                Runs.ByIdRowsPossible = true;
            }
            TraceRows.Write(_commits, waiting);
            Runs.Write(_commits, rows.Traces.FindAll(row => !row.Pending));
            TraceLinkRows.Write(_commits, rows.TraceLinks);
            beforeCommit();
            await transaction.CommitAsync(cancellationToken);
        }
        _commits.ChangeTracker.Clear();
        await Runs.MergeAsync(_commits, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _spans.Dispose();
        await _commits.DisposeAsync();
        await _db.DisposeAsync();
    }

    /// <summary>The span batches' own connection and reader.</summary>
    private sealed class BatchReader(DepMapDbContext db) : IAsyncDisposable
    {
        private readonly SpanTableReader _reader = new(db);

        public SpanBatch Read(SpanPosition after, SpanPosition end, int limit)
        {
            var spans = _reader.ReadRange(after.Id, end.Id, limit);
            return new SpanBatch(spans, spans.Count > 0 ? new SpanPosition(0, spans[^1].RowId) : after);
        }

        public async ValueTask DisposeAsync()
        {
            _reader.Dispose();
            await db.DisposeAsync();
        }
    }
}
