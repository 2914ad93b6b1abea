using DepMap.Storage.Spans;

namespace DepMap.Storage.PostgreSql.Spans;

/// <summary>PostgreSQL's span table, by binary COPY; each instance's writer commits beside the others'.</summary>
internal sealed class PostgreSqlSpanStorage(PostgreSqlStore database) : ISpanStorage
{
    public ISpanCommits Open() => new Commits(new PostgreSqlSpanAppender(database.ConnectionString), database.ConnectionString);

    // Nothing to give back: PostgreSQL caches the pages a run read in the server's shared buffers,
    // not in this process, and an idle pooled Npgsql connection holds only its small buffers here.
    // Closing them would only make the next run and the health check connect again.
    public void CloseIdleConnections()
    {
    }

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
