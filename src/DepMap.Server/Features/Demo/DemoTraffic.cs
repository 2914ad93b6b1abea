using System.Diagnostics;
using DepMap.Demo;
using DepMap.Server.Features.Aggregation;
using Mediator;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;

namespace DepMap.Server.Features.Demo;

/// <summary>
/// The demo's simulated services, sending through the real OpenTelemetry SDK to this very server
/// once it listens, until it stops; what they send goes to the log.
/// </summary>
internal sealed class DemoTraffic(IHostApplicationLifetime lifetime, IServer server, IConfiguration configuration,
    IOptions<DemoOptions> options, IServiceScopeFactory scopes, ILogger<DemoTraffic> logger) : BackgroundService
{
    private static readonly TimeSpan BacklogWait = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        if (OwnEndpoint(configuration, addresses) is not var (endpoint, protocol))
        {
            logger.LogError("demo: no OTLP endpoint of this server to send to (bound: {Addresses})", addresses);
            return;
        }
        var demo = options.Value;
        // Validated at start (DemoSetup), so it parses.
        _ = DemoSettings.TryParseDuration(demo.ChangeAfter, out var changeAfter);
        var settings = new DemoSettings
        {
            Endpoint = endpoint,
            Protocol = protocol,
            System = demo.System,
            ChangeAfter = changeAfter,
            Seed = demo.Seed,
            Backlog = demo.Backlog,
        };
        await DemoRunner.RunAsync(settings, Log, stoppingToken, AggregateBacklogAsync);
    }

    /// <summary>
    /// Links the backlog into the map at once rather than at the next scheduled run, which Hangfire's
    /// SQLite storage starts up to 15 s late. A flush, because the backlog has all arrived (each
    /// acknowledgement means committed) and nothing else is being sent yet.
    /// </summary>
    private async Task AggregateBacklogAsync(long traces, CancellationToken cancellationToken)
    {
        if (traces <= 0)
        {
            return;
        }
        // The SDK's ForceFlush can return before the exporter's last request is answered, so the
        // first flush may find part of the backlog: flush again until all of it is linked, briefly.
        await using var scope = scopes.CreateAsyncScope();
        var sender = scope.ServiceProvider.GetRequiredService<ISender>();
        var waited = Stopwatch.StartNew();
        long linked = 0;
        while (true)
        {
            linked += (await sender.Send(new AggregateSpans(Flush: true), cancellationToken)).TracesLinked;
            if (linked >= traces || waited.Elapsed > BacklogWait)
            {
                break;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
        Log($"aggregated the backlog: {linked:N0} of {traces:N0} traces linked in {waited.Elapsed.TotalSeconds:0.0} s");
    }

    private void Log(string line)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("demo: {Line}", line);
        }
    }

    /// <summary>
    /// This server's own OTLP endpoint: with <c>--urls</c>, the first bound address, speaking gRPC
    /// when the endpoints speak HTTP/2 and OTLP/HTTP otherwise; else the configured HTTP/2 endpoint
    /// (OtlpGrpc, 4317), else an HTTP/1 one. A wildcard host is reached on the loopback.
    /// </summary>
    internal static (Uri Endpoint, OtlpExportProtocol Protocol)? OwnEndpoint(IConfiguration configuration, ICollection<string> addresses)
    {
        if (!string.IsNullOrEmpty(configuration["urls"]) || !configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
        {
            var http2 = string.Equals(configuration["Kestrel:EndpointDefaults:Protocols"], "Http2", StringComparison.OrdinalIgnoreCase);
            return addresses.FirstOrDefault() is { } address
                ? (Loopback(address), http2 ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf)
                : null;
        }
        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren()
            .Where(e => !string.IsNullOrEmpty(e["Url"]))
            .Select(e => (Url: e["Url"]!, Http2: string.Equals(e["Protocols"], "Http2", StringComparison.OrdinalIgnoreCase)))
            .ToList();
        var chosen = endpoints.Where(e => e.Http2).Concat(endpoints.Where(e => !e.Http2)).FirstOrDefault();
        return chosen.Url is null ? null : (Loopback(chosen.Url), chosen.Http2 ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf);
    }

    private static Uri Loopback(string address)
    {
        // Kestrel's wildcards (http://+:80, http://*:80, 0.0.0.0, [::]) are not addresses to connect to.
        var text = address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal);
        var builder = new UriBuilder(text);
        if (builder.Host is "0.0.0.0" or "[::]" or "::" or "localhost")
        {
            builder.Host = "127.0.0.1";
        }
        return builder.Uri;
    }
}
