using Grpc.AspNetCore.Server.Model;
using Microsoft.AspNetCore.Server.Kestrel.Core;
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
            .Validate(o => o.MaxBufferedBytes >= o.MaxBodyBytes, "Ingest:MaxBufferedBytes must be at least Ingest:MaxBodyBytes.")
            .Validate(o => o.MinBodyBytesPerSecond >= 0, "Ingest:MinBodyBytesPerSecond must not be negative.")
            .Validate(o => o.QueueCapacitySpans > 0, "Ingest:QueueCapacitySpans must be positive.")
            .Validate(o => o.MaxQueueDelay >= TimeSpan.Zero, "Ingest:MaxQueueDelay must not be negative.")
            .Validate(o => o.RetryAfterSeconds > 0, "Ingest:RetryAfterSeconds must be positive.")
            .Validate(o => o.HeapSoftLimitBytes >= 0, "Ingest:HeapSoftLimitBytes must not be negative (0 turns it off).")
            .Validate(o => o.MaxRetryAfterSeconds >= o.RetryAfterSeconds, "Ingest:MaxRetryAfterSeconds must be at least Ingest:RetryAfterSeconds.")
            .ValidateOnStart();
        services.AddGrpc();
        // gRPC's own cap applies to the (decompressed) message; the body cap is the one limit.
        services.AddOptions<Grpc.AspNetCore.Server.GrpcServiceOptions>()
            .Configure<IOptions<IngestOptions>>((grpc, ingest) => grpc.MaxReceiveMessageSize = (int)ingest.Value.MaxBodyBytes);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<OtlpTraceService>, OtlpTraceServiceMethods>());
        // Kestrel times a client only while the server waits for its bytes, so a busy server never
        // trips this; per request it cannot be set on HTTP/2 (gRPC), hence for every body.
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<IngestOptions>>((kestrel, ingest) =>
        {
            if (ingest.Value.MinBodyBytesPerSecond > 0)
            {
                kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(ingest.Value.MinBodyBytesPerSecond, TimeSpan.FromSeconds(5));
            }
        });
        services.AddSingleton<IngestAdmission>();
        services.AddSingleton<IngestMemoryTrimmer>();
        services.AddHostedService(provider => provider.GetRequiredService<IngestMemoryTrimmer>());
        services.AddSingleton<SpanWriter>();
        services.AddHostedService(provider => provider.GetRequiredService<SpanWriter>());
        return services;
    }

    // Admission wraps the gRPC endpoint itself, so it runs before Grpc.AspNetCore reads the message.
    public static void MapOtlpGrpc(this WebApplication app)
    {
        app.UseOversizeGrpcMessages();
        app.MapGrpcService<OtlpTraceService>()
            .Add(endpoint => endpoint.RequestDelegate = GrpcAdmission.Wrap(endpoint.RequestDelegate!));
    }
}
