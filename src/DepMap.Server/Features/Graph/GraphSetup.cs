using DepMap.Core.Reliability;
using DepMap.Rendering;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Features.Graph;

/// <summary>What every query feature (graph, dependencies, services, ranking) shares.</summary>
internal static class GraphSetup
{
    public static IServiceCollection AddQueries(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GraphOptions>()
            .Bind(configuration.GetSection("Graph"))
            .Validate(o => o.DotTimeoutSeconds > 0 && o.FallbackTimeoutSeconds > 0 && o.TotalBudgetSeconds > 0,
                "Graph:DotTimeoutSeconds, Graph:FallbackTimeoutSeconds and Graph:TotalBudgetSeconds must be positive.")
            .Validate(o => o.FallbackMaxEdges > 0, "Graph:FallbackMaxEdges must be positive.")
            .Validate(o => o.MaxConcurrentLayouts >= 0 && o.MaxQueuedLayouts >= 0 && o.MaxLayoutWaitSeconds >= 0,
                "Graph:MaxConcurrentLayouts, Graph:MaxQueuedLayouts and Graph:MaxLayoutWaitSeconds must not be negative.")
            .Validate(o => o.CacheMegabytes > 0, "Graph:CacheMegabytes must be positive.")
            .Validate(o => o.DotNsLimit is null or (> 0 and <= GraphvizOptions.MaxDotNsLimit),
                $"Graph:DotNsLimit must be more than 0 and at most {GraphvizOptions.MaxDotNsLimit} iterations per node, or empty for no limit.")
            .ValidateOnStart();
        services.AddOptions<RankingOptions>()
            .Bind(configuration.GetSection("Ranking"))
            .Validate(o => o.DegradedErrorRate is >= 0 and <= 1 && o.FailingErrorRate is > 0 and <= 1 && o.DegradedErrorRate <= o.FailingErrorRate,
                "Ranking:DegradedErrorRate and Ranking:FailingErrorRate must be rates in [0, 1], degraded no higher than failing.")
            .Validate(o => o.ConfidenceZ > 0, "Ranking:ConfidenceZ must be positive.")
            .Validate(o => o.ErrorWeight >= 0 && o.LatencyWeight >= 0 && o.SelfTimeWeight >= 0 && o.ReachWeight is >= 0 and <= 1,
                "Ranking weights must not be negative, and Ranking:ReachWeight must be in [0, 1].")
            .ValidateOnStart();
        services.AddSingleton(provider => new GraphvizRenderer(provider.GetRequiredService<IOptions<GraphOptions>>().Value.Graphviz));
        services.AddSingleton<QueryCache>();
        services.AddSingleton<StatisticsWindows>();
        services.AddSingleton<DefaultViewPrerenderer>();
        services.AddHostedService(provider => provider.GetRequiredService<DefaultViewPrerenderer>());
        services.AddSingleton<GraphWarmUp>();
        services.AddHostedService(provider => provider.GetRequiredService<GraphWarmUp>());
        return services;
    }
}
