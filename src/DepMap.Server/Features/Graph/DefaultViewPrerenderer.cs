using Mediator;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Features.Graph;

/// <summary>
/// Keeps the default view's SVG (last hour, no filter) drawn: once a second it checks whether the
/// current aggregation version and minute have a picture, and draws it if not, so a dashboard
/// refreshing <c>/graph.svg</c> gets cached bytes instead of waiting for dot. It only works while
/// someone has asked for that view in the last <see cref="WatchedFor"/>: an unwatched server does
/// not run dot every minute for nobody.
/// </summary>
internal sealed class DefaultViewPrerenderer(
    IServiceScopeFactory scopes, StatisticsWindows windows, QueryCache cache, TimeProvider clock,
    IOptions<GraphOptions> options, ILogger<DefaultViewPrerenderer> logger) : BackgroundService
{
    public static readonly TimeSpan WatchedFor = TimeSpan.FromMinutes(10);

    private long _watchedAtTicks = DateTimeOffset.MinValue.UtcTicks;
    private long _checks;

    /// <summary>Ticks fully handled (checked, and drawn when due): what a test waits on to know a tick's decision is made.</summary>
    public long Checks => Interlocked.Read(ref _checks);

    public void Watched(DateTimeOffset now) => Interlocked.Exchange(ref _watchedAtTicks, now.UtcTicks);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.PrerenderDefaultView)
        {
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await CheckAsync(stoppingToken);
            Interlocked.Increment(ref _checks);
        }
    }

    private async Task CheckAsync(CancellationToken stoppingToken)
    {
        var now = clock.GetUtcNow();
        if (now.UtcTicks - Interlocked.Read(ref _watchedAtTicks) > WatchedFor.Ticks)
        {
            return;
        }
        var request = new GetGraph(new GraphQuery(QueryWindow.Last(QueryWindow.DefaultLookback, now)), GraphFormat.Svg);
        if (cache.Contains(GetGraphHandler.Key(windows.Version, request)))
        {
            return;
        }
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ISender>().Send(request, stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The next request draws it and reports the problem (Graphviz missing: a 503 that says how to install it).
            logger.LogWarning(e, "Prerendering the default graph view failed");
        }
    }
}
