namespace DepMap.Storage.Spans;

/// <summary>
/// Where the host's span writer commits its groups: the span file on SQLite, the partitioned
/// span table on PostgreSQL. Chosen at start (the host's <c>StorageSetup</c>); the writer's queue,
/// group commit and answers are the same for both.
/// </summary>
public interface ISpanStorage
{
    /// <summary>Opens the writer's own appender; the writer disposes it when it stops.</summary>
    ISpanCommits Open();

    /// <summary>
    /// Closes this process's idle pooled connections to the store, where they hold memory the process
    /// can give back; the next user opens them again. Called once ingest and the aggregation are idle.
    /// </summary>
    void CloseIdleConnections();
}

/// <summary>One writer's appender.</summary>
public interface ISpanCommits : IDisposable
{
    /// <summary>
    /// Commits every span of every batch in one transaction, or throws with nothing stored. Returns
    /// null once the spans are durable, or the fault that makes a commit not count after all.
    /// </summary>
    StorageFault? Commit(IReadOnlyList<IReadOnlyList<EncodedSpan>> batches, long receivedAtUnixMs);

    /// <summary>What an exception of <see cref="Commit"/> means to an operator.</summary>
    StorageFault Fault(Exception exception);
}
