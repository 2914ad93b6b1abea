namespace DepMap.Server.Features.Aggregation;

internal static class AggregationSetup
{
    public static IServiceCollection AddAggregation(this IServiceCollection services)
    {
        services.AddSingleton<AggregationProgress>();
        return services;
    }
}
