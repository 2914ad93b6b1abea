using DepMap.Storage;
using DepMap.Storage.Aggregation;
using Mediator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DepMap.Server.Tests.Aggregation;

/// <summary>
/// The real app over its own SQLite file with a fake clock (the settle time passes when the test
/// says so) and the test-only <see cref="AggregationFaults"/> seam. The recurring job is scheduled
/// never, so only the test starts runs. With <c>kestrel</c>, a real socket on 127.0.0.1 for the
/// OpenTelemetry SDK's exporter.
/// </summary>
public sealed class AggregationFactory : DepMapFactory
{
    /// <summary>Ten minutes after the docs' example traces start, so they are in the past.</summary>
    public static readonly DateTimeOffset Now = new(2025, 1, 1, 0, 10, 0, TimeSpan.Zero);

    private readonly bool _kestrel;

    public AggregationFactory(bool kestrel = false, string? folder = null, bool ownsFolder = true, Dictionary<string, string?>? settings = null)
        : base(folder ?? NewFolder(), ownsFolder, Settings(kestrel, settings))
    {
        _kestrel = kestrel;
        if (kestrel)
        {
            UseKestrel();
        }
    }

    public FakeTimeProvider Clock { get; } = new(Now);

    internal AggregationFaults Faults { get; } = new();

    /// <summary>The bound address with Kestrel (starts the server).</summary>
    public Uri Address
    {
        get
        {
            Assert.True(_kestrel);
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
            return new Uri(Assert.Single(addresses.Addresses));
        }
    }

    /// <summary>POST /api/aggregate over HTTP, as a script would; fails the test on anything but 200.</summary>
    public async Task AggregateAsync(bool flush = true)
    {
        using var client = CreateClient();
        var response = await client.PostAsync($"/api/aggregate?flush={(flush ? "true" : "false")}", null);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    internal async Task<TResult> SendAsync<TResult>(IRequest<TResult> request)
    {
        using var scope = Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(request);
    }

    internal async Task<TResult> WithDbAsync<TResult>(Func<DepMapDbContext, Task<TResult>> read)
    {
        using var scope = Services.CreateScope();
        return await read(scope.ServiceProvider.GetRequiredService<DepMapDbContext>());
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton(Faults);
        });
    }

    private static Dictionary<string, string?> Settings(bool kestrel, Dictionary<string, string?>? extra)
    {
        var settings = new Dictionary<string, string?>
        {
            // February 31st: Hangfire's "never".
            ["Aggregation:Cron"] = "0 0 31 2 *",
            ["Retention:Cron"] = "0 0 31 2 *",
            // The tests move the fake clock past or short of the 30 s settle time they were written for.
            ["Aggregation:SettleSeconds"] = "30",
            // Tests decide when the aggregation runs; AggregationWakeTests tests the wake.
            ["Aggregation:WakeOnIngest"] = "false",
        };
        if (kestrel)
        {
            settings["urls"] = "http://127.0.0.1:0";
            settings["Kestrel:EndpointDefaults:Protocols"] = "Http1";
        }
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }
        return settings;
    }
}
