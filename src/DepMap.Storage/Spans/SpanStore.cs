using Microsoft.Data.Sqlite;

namespace DepMap.Storage.Spans;

/// <summary>Where the span writer opens its own connection (the span file), and how it syncs.</summary>
internal sealed record SpanStore(string ConnectionString, SqliteSynchronous Synchronous)
{
    /// <summary>The span file's path.</summary>
    public string Path { get; } = new SqliteConnectionStringBuilder(ConnectionString).DataSource;
}
