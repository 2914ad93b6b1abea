namespace DepMap.Server.Features.Ingest;

internal static class IngestSetup
{
    public static IServiceCollection AddIngest(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IngestOptions>()
            .Bind(configuration.GetSection("Ingest"))
            .Validate(o => o.MaxBodyBytes is > 0 and < int.MaxValue, "Ingest:MaxBodyBytes must be between 1 and 2 GiB.")
            .Validate(o => o.QueueCapacitySpans > 0, "Ingest:QueueCapacitySpans must be positive.")
            .Validate(o => o.RetryAfterSeconds > 0, "Ingest:RetryAfterSeconds must be positive.")
            .ValidateOnStart();
        services.AddSingleton<SpanWriter>();
        services.AddHostedService(provider => provider.GetRequiredService<SpanWriter>());
        return services;
    }
}
