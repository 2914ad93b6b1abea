using DepMap.Server.Hosting;
using DepMap.Storage.PostgreSql;
using DepMap.Storage.PostgreSql.Spans;
using DepMap.Storage.Spans;

namespace DepMap.Server.Features.Ingest;

/// <summary>
/// Where the <see cref="SpanWriter"/> commits its groups: the span file on SQLite, the partitioned
/// span table on PostgreSQL. Chosen at start (<see cref="StorageSetup"/>); the writer's queue,
/// group commit and answers are the same for both.
/// </summary>
internal interface ISpanStorage
{
    /// <summary>Opens the writer's own appender; the writer disposes it when it stops.</summary>
    ISpanCommits Open();
}

/// <summary>One writer's appender.</summary>
internal interface ISpanCommits : IDisposable
{
    /// <summary>
    /// Commits every span of every batch in one transaction, or throws with nothing stored. Returns
    /// null once the spans are durable, or the fault that makes a commit not count after all.
    /// </summary>
    StorageFault? Commit(IReadOnlyList<IReadOnlyList<EncodedSpan>> batches, long receivedAtUnixMs);

    /// <summary>What an exception of <see cref="Commit"/> means to an operator.</summary>
    StorageFault Fault(Exception exception);
}

/// <summary>The span file, written under this process's write turn, checked still at its path after each commit.</summary>
internal sealed class SqliteSpanStorage(SpanStore store, SpanFileWriteLock writeLock) : ISpanStorage
{
    // The WalCheckpointer copies the log into the file, so a commit never waits for that.
    public ISpanCommits Open() => new Commits(
        new SqliteSpanAppender(store.ConnectionString, store.Synchronous, checkpointedElsewhere: true),
        new SpanFileIdentity(store.Path),
        store.Path,
        writeLock);

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

/// <summary>PostgreSQL's span table, by binary COPY; each instance's writer commits beside the others'.</summary>
internal sealed class PostgreSqlSpanStorage(PostgreSqlStore database) : ISpanStorage
{
    public ISpanCommits Open() => new Commits(new PostgreSqlSpanAppender(database.ConnectionString), database.ConnectionString);

    private sealed class Commits(PostgreSqlSpanAppender appender, string connectionString) : ISpanCommits
    {
        public StorageFault? Commit(IReadOnlyList<IReadOnlyList<EncodedSpan>> batches, long receivedAtUnixMs)
        {
            appender.Append(batches, receivedAtUnixMs);
            return null;
        }

        public StorageFault Fault(Exception exception) => PostgreSqlFaults.Of(exception, connectionString);

        public void Dispose() => appender.Dispose();
    }
}
