using Grpc.AspNetCore.Server.Model;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

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
        services.AddGrpc();
        // gRPC's own cap applies to the (decompressed) message; the body cap is the one limit.
        services.AddOptions<Grpc.AspNetCore.Server.GrpcServiceOptions>()
            .Configure<IOptions<IngestOptions>>((grpc, ingest) => grpc.MaxReceiveMessageSize = (int)ingest.Value.MaxBodyBytes);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<OtlpTraceService>, OtlpTraceServiceMethods>());
        services.AddSingleton<SpanWriter>();
        services.AddHostedService(provider => provider.GetRequiredService<SpanWriter>());
        services.AddSingleton<WalCheckpointer>();
        services.AddHostedService(provider => provider.GetRequiredService<WalCheckpointer>());
        return services;
    }

    public static void MapOtlpGrpc(this WebApplication app)
    {
        app.UseOversizeGrpcMessages();
        app.MapGrpcService<OtlpTraceService>();
    }
}
