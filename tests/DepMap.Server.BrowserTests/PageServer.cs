using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DepMap.Server.BrowserTests;

/// <summary>
/// The real DepMap on real Kestrel at 127.0.0.1 (a free port) over a SQLite file in a temp folder,
/// with a trace URL template, so the page's exemplar links can be checked.
/// </summary>
public sealed class PageServer : WebApplicationFactory<Program>
{
    public const string TraceUrlTemplate = "http://traces.example/trace/{traceId}";

    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IWebHostBuilder>? _configure;

    /// <param name="configure">More host configuration (the page benchmark serves the baseline's page beside this one).</param>
    public PageServer(Action<IWebHostBuilder>? configure = null)
    {
        _configure = configure;
        Folder = Path.Combine(Path.GetTempPath(), "depmap-browser-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(Folder);
        _settings = new()
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Kestrel:EndpointDefaults:Protocols"] = "Http1",
            ["ConnectionStrings:DepMap"] = $"Data Source={Path.Combine(Folder, "depmap.db")}",
            ["Hangfire:Storage"] = "InMemory",
            // Tests decide when the aggregation runs; AggregationWakeTests tests the wake.
            ["Aggregation:WakeOnIngest"] = "false",
            ["Snapshots:Directory"] = Path.Combine(Folder, "graphs"),
            ["Ui:TraceUrlTemplate"] = TraceUrlTemplate,
        };
        UseKestrel();
    }

    public string Folder { get; }

    /// <summary>The bound address, e.g. http://127.0.0.1:41234/ (starts the server).</summary>
    public Uri Address
    {
        get
        {
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
            return new Uri(addresses.Addresses.Single());
        }
    }

    public HttpClient Http() => new() { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        _configure?.Invoke(builder);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
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
