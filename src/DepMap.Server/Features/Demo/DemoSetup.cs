using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Configuration.Memory;

namespace DepMap.Server.Features.Demo;

/// <summary>
/// <c>--demo</c>: the server runs simulated services in-process (<see cref="DemoTraffic"/>) that send
/// spans to its own OTLP port, and takes the <c>Demo:Overrides</c> settings (shorter settle time and
/// schedules, files of its own) so the map fills within a minute.
/// </summary>
internal static class DemoSetup
{
    private const string Switch = "--demo";

    /// <summary>
    /// <c>--demo</c> as the setting <c>Demo:Enabled=true</c>: the command-line configuration would
    /// read a bare switch as a key whose value is the next argument.
    /// </summary>
    public static string[] ReadDemoSwitch(string[] args) =>
        [.. args.Select(a => string.Equals(a, Switch, StringComparison.Ordinal) ? "--Demo:Enabled=true" : a)];

    public static void AddDemo(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (!configuration.GetValue<bool>("Demo:Enabled"))
        {
            return;
        }
        // The overrides sit right after the settings files, so environment variables and the
        // command line still override them: ./scripts/run.sh --demo --Aggregation:SettleSeconds=10.
        var overrides = configuration.GetSection("Demo:Overrides").AsEnumerable(makePathsRelative: true)
            .Where(pair => pair.Value is not null)
            .ToDictionary(pair => pair.Key, pair => pair.Value);
        var sources = configuration.Sources;
        var lastJson = -1;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is JsonConfigurationSource)
            {
                lastJson = i;
            }
        }
        sources.Insert(lastJson + 1, new MemoryConfigurationSource { InitialData = overrides });

        builder.Services.AddOptions<DemoOptions>()
            .Bind(configuration.GetSection("Demo"))
            .Validate(o => DepMap.Demo.DemoSettings.IsSystem(o.System), "Demo:System must be logistics, thirty or all.")
            .Validate(o => DepMap.Demo.DemoSettings.TryParseDuration(o.ChangeAfter, out _), "Demo:ChangeAfter must be a duration such as 90s or 10m.")
            .Validate(o => o.Backlog is >= 0 and <= 100_000, "Demo:Backlog must be a number of traces from 0 to 100000.")
            .ValidateOnStart();
        builder.Services.AddHostedService<DemoTraffic>();
    }
}

/// <summary>The <c>Demo</c> settings (documented in appsettings.json).</summary>
internal sealed class DemoOptions
{
    public bool Enabled { get; set; }
    public string System { get; set; } = "all";
    public string ChangeAfter { get; set; } = "90s";
    public int Seed { get; set; } = 42;
    public int Backlog { get; set; }
}
