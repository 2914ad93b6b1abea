using System.Diagnostics;
using DepMap.Core.Linking;
using DepMap.Core.Reliability;
using DepMap.Core.Statistics;
using DepMap.Rendering;
using Mediator;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Features.Graph;

/// <summary>
/// Runs once at start, off the request path, the steps a <c>/graph.svg</c> request takes: the
/// statistics read, then a two-service graph built, written as DOT and drawn by the
/// shared <see cref="GraphvizRenderer"/>. A fresh process otherwise spends the first request's time
/// compiling the queries and the rendering code (measured in docs/benchmarks.md, <c>/graph.svg</c>).
/// A failure only logs: the first request meets the same problem and reports it.
/// </summary>
internal sealed partial class GraphWarmUp(
    IServiceScopeFactory scopes, StatisticsWindows windows, GraphvizRenderer renderer, TimeProvider clock,
    IOptions<GraphOptions> options, ILogger<GraphWarmUp> logger) : BackgroundService
{
    private readonly TaskCompletionSource<GraphLayout?> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The layout the warm-up drew with; null when it was off, or Graphviz was missing or failed.</summary>
    public Task<GraphLayout?> Completion => _completion.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.WarmUpOnStart)
        {
            _completion.TrySetResult(null);
            return;
        }
        // Start-up must not wait for the warm-up: what follows runs on the thread pool.
        await Task.Yield();
        var started = Stopwatch.StartNew();
        try
        {
            var window = QueryWindow.Last(QueryWindow.MinLookback, clock.GetUtcNow());
            await ReadLastMinuteAsync(window, stoppingToken);
            var statistics = new WindowStatistics(TinyGraph(window), new ReliabilityStatistics());
            var svg = await renderer.RenderSvgAsync(windows.GraphOf(statistics), stoppingToken);
            LogDrawn(logger, svg.Layout, started.ElapsedMilliseconds);
            _completion.TrySetResult(svg.Layout);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _completion.TrySetResult(null);
        }
        catch (Exception e) when (e is GraphvizNotFoundException or GraphvizException)
        {
            LogSkipped(logger, e.Message);
            _completion.TrySetResult(null);
        }
        catch (Exception e)
        {
            // A warm-up must never stop the server; the first request meets and reports the same problem.
            LogFailed(logger, e);
            _completion.TrySetResult(null);
        }
    }

    // The last minute as JSON through the mediator: the handler, the cache and the statistics
    // queries /graph.svg uses, over few rows. What it caches is that window's true graph, so a request
    // for the same window and aggregation version may be answered with it.
    private async Task ReadLastMinuteAsync(QueryWindow window, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ISender>().Send(new GetGraph(new GraphQuery(window), GraphFormat.Json), cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Graph warm-up drew a two-service graph with {Layout} in {Milliseconds} ms")]
    private static partial void LogDrawn(ILogger logger, GraphLayout layout, long milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Graph warm-up drew nothing: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Graph warm-up failed; the first request will report the problem")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    private static GraphStatistics TinyGraph(QueryWindow window) => GraphStatistics.From(new LinkedTrace(
        [
            new Call
            {
                Caller = "warm-up-client",
                Callee = "warm-up-server",
                ClientDurationNano = 2_000_000,
                ServerDurationNano = 1_000_000,
                Operation = "GET /warm-up",
                StartUnixNano = window.From.ToUnixTimeMilliseconds() * 1_000_000,
            },
        ],
        []));
}
