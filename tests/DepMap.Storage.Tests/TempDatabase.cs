using DepMap.Core.Spans;
using DepMap.Storage.Spans;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.Tests;

/// <summary>A migrated DepMap database (and its span file) in a folder of its own, deleted afterwards.</summary>
internal sealed class TempDatabase : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "depmap-storage-tests", Guid.NewGuid().ToString("n"));

    public TempDatabase()
    {
        Directory.CreateDirectory(_folder);
        ConnectionString = $"Data Source={Path.Combine(_folder, "depmap.db")};Pooling=false";
        Options = new DbContextOptionsBuilder<DepMapDbContext>().UseDepMapSqlite(ConnectionString).Options;
        using var db = new DepMapDbContext(Options);
        DepMapDatabase.Migrate(db);
    }

    public string ConnectionString { get; }

    public DbContextOptions<DepMapDbContext> Options { get; }

    public DepMapDbContext Open() => new(Options);

    /// <summary>Stores spans as ingest does, in one commit received at <paramref name="receivedAtUnixMs"/>.</summary>
    public void Append(IEnumerable<Span> spans, long receivedAtUnixMs)
    {
        using var appender = new SqliteSpanAppender(SpanFile.ConnectionStringFor(ConnectionString), SqliteSynchronous.Normal);
        appender.Append([spans.Select(EncodedSpan.From).ToArray()], receivedAtUnixMs);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
