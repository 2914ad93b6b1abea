using DepMap.Storage;
using DepMap.Storage.Spans;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DepMap.Server.Tests;

/// <summary>
/// The real app over a real SQLite file in a temp folder, Hangfire in memory. Settings go in with
/// UseSetting because Program reads them before Build, where later configuration is not yet seen.
/// </summary>
public class DepMapFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly bool _ownsFolder;

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
    }

    public string Folder { get; }

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
