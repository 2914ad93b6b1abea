using Microsoft.Data.Sqlite;

namespace DepMap.Storage.Spans;

/// <summary>The span file, written under this process's write turn, checked still at its path after each commit.</summary>
internal sealed class SqliteSpanStorage(SpanStore store, SpanFileWriteLock writeLock) : ISpanStorage
{
    // The WalCheckpointer copies the log into the file, so a commit never waits for that.
    public ISpanCommits Open() => new Commits(
        new SqliteSpanAppender(store.ConnectionString, store.Synchronous, checkpointedElsewhere: true),
        new SpanFileIdentity(store.Path),
        store.Path,
        writeLock);

    // Every pool of the process, the statistics database's too: the aggregation's connections keep
    // a page cache of up to 64 MiB each (SqliteTuning), which only closing them gives back.
    public void CloseIdleConnections() => SqliteConnection.ClearAllPools();

    private sealed class Commits(SqliteSpanAppender appender, SpanFileIdentity identity, string path, SpanFileWriteLock writeLock) : ISpanCommits
    {
        public StorageFault? Commit(IReadOnlyList<IReadOnlyList<EncodedSpan>> batches, long receivedAtUnixMs)
        {
            using (writeLock.Enter())
            {
                appender.Append(batches, receivedAtUnixMs);
            }
            // SQLite keeps writing to a file deleted under it, and a restart would start without
            // those spans: they are not acknowledged.
            return identity.IsStillAtItsPath() ? null : StorageFault.Deleted(path);
        }

        public StorageFault Fault(Exception exception) => StorageFault.Of(exception, path);

        public void Dispose() => appender.Dispose();
    }
}
