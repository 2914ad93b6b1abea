using DepMap.Storage.Spans;

namespace DepMap.Storage.PostgreSql.Spans;

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
