using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using DepMap.Server.Features.Aggregation;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Features.Page;

/// <summary>
/// The page at <c>/</c>: plain static files (<c>wwwroot</c>, copied beside the server's binaries so
/// the page is found whatever the working directory), its settings, and <c>GET /events</c>, which
/// tells an open page of every aggregation run that changed the statistics, so the page re-reads
/// the graph only then instead of polling it.
/// </summary>
internal static class PageEndpoints
{
    public static IServiceCollection AddPage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<UiOptions>().Bind(configuration.GetSection("Ui"))
            .Validate(o => o.TraceUrlTemplate.Length == 0 || o.TraceUrlTemplate.Contains("{traceId}", StringComparison.Ordinal),
                "Ui:TraceUrlTemplate must contain {traceId}, or be empty for no trace links.")
            .ValidateOnStart();
        return services;
    }

    public static WebApplication UsePage(this WebApplication app)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (!Directory.Exists(folder))
        {
            return app;
        }
        var files = new PhysicalFileProvider(folder);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            // The page is small and changes with the server: always revalidate (ETag), never serve a stale module.
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        });
        return app;
    }

    public static IEndpointRouteBuilder MapPageEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ui/settings.json", (IOptions<UiOptions> options) =>
            TypedResults.Ok(new { traceUrlTemplate = options.Value.TraceUrlTemplate }));
        app.MapGet("/events", (AggregationProgress progress, IHostApplicationLifetime lifetime, CancellationToken ct) =>
            TypedResults.ServerSentEvents(Versions(progress, lifetime.ApplicationStopping, ct)));
        return app;
    }

    /// <summary>The current version at once, then each new one; ends when the page or the server goes away.</summary>
    private static async IAsyncEnumerable<SseItem<VersionEvent>> Versions(
        AggregationProgress progress, CancellationToken stopping, [EnumeratorCancellation] CancellationToken ct = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, ct);
        var token = linked.Token;
        long? sent = null;
        while (!token.IsCancellationRequested)
        {
            var changed = progress.Watch();
            var version = progress.Version;
            if (version != sent)
            {
                sent = version;
                yield return new SseItem<VersionEvent>(new VersionEvent(version), "aggregated");
            }
            var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (changed.RegisterChangeCallback(_ => fired.TrySetResult(), null))
            using (token.Register(() => fired.TrySetResult()))
            {
                // A comment-free keep-alive every 25 s keeps proxies from closing an idle stream.
                await Task.WhenAny(fired.Task, Task.Delay(TimeSpan.FromSeconds(25), CancellationToken.None));
            }
            if (!fired.Task.IsCompleted && !token.IsCancellationRequested)
            {
                yield return new SseItem<VersionEvent>(new VersionEvent(progress.Version), "aggregated");
            }
        }
    }

    private sealed record VersionEvent(long Version);
}
