namespace DepMap.Server.Hosting;

/// <summary>The OpenAPI description of every HTTP endpoint, at <c>/openapi/v1.json</c>.</summary>
internal static class OpenApiSetup
{
    public static IServiceCollection AddDepMapOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi();
        return services;
    }

    public static IEndpointRouteBuilder MapDepMapOpenApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi();
        return app;
    }
}
