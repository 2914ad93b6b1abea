using DepMap.Storage;
using DepMap.Storage.Spans;
using DepMap.Tests.Shared.PostgreSql;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DepMap.Server.Tests;

/// <summary>
/// The real app over a real SQLite file in a temp folder, Hangfire in memory. Settings go in with
/// UseSetting because Program reads them before Build, where later configuration is not yet seen.
/// With <c>DEPMAP_TEST_PROVIDER=PostgreSql</c> (scripts/test.sh's second pass) the same hosts run on
/// a PostgreSQL database of their own instead, named after the folder, so a host started again on
/// the folder finds what the first stored.
/// </summary>
public class DepMapFactory : WebApplicationFactory<Program>
{
    public const string ProviderVariable = "DEPMAP_TEST_PROVIDER";

    private readonly Dictionary<string, string?> _settings;
    private readonly bool _ownsFolder;
    private readonly PostgresDatabase? _postgres;

    public DepMapFactory()
        : this(NewFolder(), ownsFolder: true, new Dictionary<string, string?>())
    {
    }

    internal DepMapFactory(string folder, bool ownsFolder, Dictionary<string, string?> settings, string connectionOptions = "")
    {
        Folder = folder;
        _ownsFolder = ownsFolder;
        _settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:DepMap"] = $"Data Source={DatabasePath}{connectionOptions}",
            ["Hangfire:Storage"] = "InMemory",
            // Tests decide when the aggregation runs; AggregationWakeTests tests the wake.
            ["Aggregation:WakeOnIngest"] = "false",
            // A recurring snapshot firing during a test must not write into the source tree.
            ["Snapshots:Directory"] = Path.Combine(folder, "graphs"),
        };
        foreach (var (key, value) in settings)
        {
            _settings[key] = value;
        }
        // A test that chose its provider (the PostgreSQL and scale-out tests) keeps it.
        if (OnPostgreSql && !settings.ContainsKey("Storage:Provider"))
        {
            _postgres = PostgresDatabase.ForFolder(folder);
            _settings["Storage:Provider"] = "PostgreSql";
            _settings["ConnectionStrings:DepMap"] = _postgres.ConnectionString;
        }
    }

    /// <summary>Whether this run's hosts are on PostgreSQL (<c>DEPMAP_TEST_PROVIDER=PostgreSql</c>).</summary>
    public static bool OnPostgreSql =>
        string.Equals(Environment.GetEnvironmentVariable(ProviderVariable), "PostgreSql", StringComparison.OrdinalIgnoreCase);

    public string Folder { get; }

    /// <summary>What names this host's own store in its connection string: the folder, or the PostgreSQL database's name.</summary>
    public string StoreName => _postgres?.Name ?? Folder;

    /// <summary>This host's PostgreSQL database on a PostgreSQL run, else null.</summary>
    internal PostgresDatabase? PostgreSql => _postgres;

    public string DatabasePath => Path.Combine(Folder, "depmap.db");

    /// <summary>The span file beside the database, where ingest writes.</summary>
    public string SpanDatabasePath => Path.Combine(Folder, "depmap.spans.db");

    public static string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "depmap-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>The stored spans of one trace, read back through the app's own DbContext.</summary>
    internal async Task<List<SpanRow>> StoredSpansAsync(ulong traceIdLow)
    {
        using var scope = Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<DepMapDbContext>();
        var low = unchecked((long)traceIdLow);
        return await db.Spans.AsNoTracking().Where(s => s.TraceIdLow == low).OrderBy(s => s.Id).ToListAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _ownsFolder)
        {
            _postgres?.DisposeAsync().GetAwaiter().GetResult();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still open elsewhere; the temp folder is cleaned by the OS eventually.
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<DepMapFactory>
{
    public const string Name = "server";
}
