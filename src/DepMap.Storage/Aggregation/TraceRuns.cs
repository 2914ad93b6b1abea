using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.Aggregation;

/// <summary>How linked trace rows' runs are merged: see <see cref="TraceRuns"/>.</summary>
/// <param name="BaseRows">A run of fewer rows is of level 0; each level above holds <paramref name="FanIn"/> times as many.</param>
/// <param name="FanIn">How many runs of one level are merged into one of the next.</param>
/// <param name="MaxMergedRows">Runs that would merge into more rows than this stay as they are.</param>
public sealed record TraceRunPolicy(int BaseRows = 4096, int FanIn = 8, int MaxMergedRows = 2_000_000)
{
    public static TraceRunPolicy Default { get; } = new();

    /// <summary>The level of a run of <paramref name="rows"/> rows.</summary>
    public int Level(long rows)
    {
        var level = 0;
        for (var size = (long)BaseRows; rows >= size && level < 62; size *= FanIn)
        {
            level++;
        }
        return level;
    }
}

/// <summary>
/// The runs of linked trace rows on SQLite, in memory: each run's id, size and a Bloom filter of its
/// traces. A linked trace's row used to be written into a table keyed by the random trace id: one
/// page of its own per trace and commit, the largest part of a commit's writes (12-17 s of a 10 M-span
/// rebuild's 51-58 s, docs/benchmarks.md, "What the two writes cost"). Now each commit writes its
/// linked traces as one run, in trace order, under an id larger than any before, so its rows fill a
/// few new pages at the end of the table. A trace's newest row is in the newest run that holds it:
/// a lookup asks the runs' filters newest first and reads only where one says "maybe". So that a
/// lookup asks few filters and the table keeps few old copies, runs of one level are merged into the
/// newest of them once there are <see cref="TraceRunPolicy.FanIn"/> (a size-tiered log-structured merge): the
/// newest row per trace is copied, in trace order, into a new run, and the merged runs deleted after.
/// A run's rows are stored in pages of consecutive traces (<see cref="TraceRunPage"/>), a few
/// thousand SQLite rows for a million traces.
/// Valid on the terms of <see cref="PendingTraces"/>, which keeps it: one process writes the file,
/// and any doubt starts it afresh from the table.
/// The linking lane reads while the commit lane commits and merges: a new run is listed before its
/// commit (its traces are the committing batch's, which the runner never looks up, so before the
/// commit it only answers "not here"); a merged run is listed only once its copy is committed, and the
/// runs it replaced are deleted only once no lookup can still be asking them (<see cref="_lookups"/>).
/// </summary>
public sealed class TraceRuns
{
    private readonly TraceRunPolicy _policy;
    private readonly object _lookups = new();
    // Oldest first; replaced whole, never changed in place, so a lookup reads one consistent list.
    private volatile Run[] _runs;

    private sealed record Run(long Id, long Rows, StoredTraceIds Filter);

    private TraceRuns(TraceRunPolicy policy, Run[] runs, bool byIdRowsPossible)
    {
        _policy = policy;
        _runs = runs;
        ByIdRowsPossible = byIdRowsPossible;
    }

    /// <summary>
    /// False while the by-id table certainly holds no row (it was empty when the state was read, and
    /// no trace has waited in its row since): a linked trace then has no by-id row to delete, which
    /// saves a lookup per linked trace.
    /// </summary>
    internal bool ByIdRowsPossible { get; set; }

    /// <summary>Runs listed (a test's view of the merging).</summary>
    public int Count => _runs.Length;

    /// <summary>Rows in the listed runs, a trace's older copies in older runs included.</summary>
    public long Rows => _runs.Sum(run => run.Rows);

    /// <summary>
    /// The runs as stored, read once when the state starts afresh; each trace id is also told to
    /// <paramref name="eachId"/>, if any. <paramref name="byIdRows"/>: the by-id table's rows then.
    /// </summary>
    internal static TraceRuns Read(DbContext db, TraceRunPolicy policy, Action<long>? eachId = null, long byIdRows = 1)
    {
        var runs = new List<Run>();
        long? current = null;
        var ids = new List<long>();
        foreach (var (run, id) in TraceRunRows.ReadKeys(db))
        {
            if (run != current && current is { } done)
            {
                runs.Add(new Run(done, ids.Count, StoredTraceIds.ForRun(ids)));
                ids.Clear();
            }
            current = run;
            ids.Add(id);
            eachId?.Invoke(id);
        }
        if (current is { } last)
        {
            runs.Add(new Run(last, ids.Count, StoredTraceIds.ForRun(ids)));
        }
        return new TraceRuns(policy, [.. runs], byIdRows > 0);
    }

    /// <summary>
    /// The newest run row of each of <paramref name="traceIdLows"/> not already in
    /// <paramref name="found"/>, added to it; on <paramref name="db"/>'s open connection, outside any transaction.
    /// </summary>
    internal void Find(DbContext db, IReadOnlyCollection<long> traceIdLows, Dictionary<long, TraceRow> found)
    {
        lock (_lookups)
        {
            var runs = _runs;
            var wanted = new List<long>();
            foreach (var id in traceIdLows)
            {
                if (!found.ContainsKey(id))
                {
                    wanted.Add(id);
                }
            }
            // Newest run first: a trace found there is done; a wrong "maybe" asks the next older one.
            for (var r = runs.Length - 1; r >= 0 && wanted.Count > 0; r--)
            {
                var run = runs[r];
                var asked = wanted.Where(run.Filter.MayContain).Select(id => (run.Id, id)).ToList();
                if (asked.Count == 0)
                {
                    continue;
                }
                TraceRunRows.Find(db, asked, found);
                wanted.RemoveAll(found.ContainsKey);
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="linked"/> (linked rows, any order) as a new run inside <paramref name="db"/>'s
    /// open transaction, and lists it: until the commit a lookup finds nothing there.
    /// </summary>
    internal void Write(DbContext db, List<TraceRow> linked)
    {
        if (linked.Count == 0)
        {
            return;
        }
        linked.Sort(static (a, b) => a.TraceIdLow.CompareTo(b.TraceIdLow));
        var runs = _runs;
        var id = runs.Length == 0 ? 1 : runs[^1].Id + 1;
        TraceRunRows.Write(db, id, linked, ByIdRowsPossible);
        _runs = [.. runs, new Run(id, linked.Count, StoredTraceIds.ForRun(linked.ConvertAll(r => r.TraceIdLow)))];
    }

    /// <summary>
    /// Merges runs while the policy asks for it, each merge in two transactions of its own on
    /// <paramref name="db"/> (no transaction open): the copy into a new run, newer than the merged
    /// ones, then, once listed and no lookup can ask the old runs, their deletion. A merge cut short
    /// leaves runs whose rows the newest run holds too.
    /// </summary>
    internal async Task MergeAsync(DbContext db, CancellationToken cancellationToken)
    {
        while (NextMerge() is var (from, to))
        {
            // The newest run is the last merged (a merge takes the newest runs), so the next id is free.
            var into = to + 1;
            List<long> ids;
            await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
            {
                ids = TraceRunRows.Merge(db, from, to, into, _runs.Where(run => run.Id >= from && run.Id <= to).Sum(run => run.Rows));
                await transaction.CommitAsync(cancellationToken);
            }
            var merged = new Run(into, ids.Count, StoredTraceIds.ForRun(ids));
            lock (_lookups)
            {
                // Under the lookups' lock: a lookup that listed the old runs has finished before they go.
                _runs = [.. _runs.Where(run => run.Id < from), merged];
            }
            await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
            {
                TraceRunRows.DeleteRuns(db, from, to);
                await transaction.CommitAsync(cancellationToken);
            }
        }
    }

    /// <summary>The newest runs to merge, [from, to], when the newest run's level has <see cref="TraceRunPolicy.FanIn"/> of them.</summary>
    private (long From, long To)? NextMerge()
    {
        var runs = _runs;
        if (runs.Length < 2)
        {
            return null;
        }
        var level = _policy.Level(runs[^1].Rows);
        var first = runs.Length;
        long rows = 0;
        while (first > 0 && _policy.Level(runs[first - 1].Rows) <= level)
        {
            first--;
            rows += runs[first].Rows;
        }
        return runs.Length - first >= _policy.FanIn && rows <= _policy.MaxMergedRows ? (runs[first].Id, runs[^1].Id) : null;
    }
}
