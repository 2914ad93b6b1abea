using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace DepMap.Server.Tests;

/// <summary>
/// The real app on real Kestrel at 127.0.0.1 with a free port; the root appsettings' fixed ports
/// are replaced, as `--urls` replaces them. Cleartext Kestrel speaks either HTTP/1.1 or HTTP/2
/// (prior knowledge, as OTLP/gRPC uses), never both on one port, hence one host per protocol.
/// </summary>
public abstract class KestrelDepMapFactory : DepMapFactory
{
    protected KestrelDepMapFactory(string protocols, Dictionary<string, string?>? settings = null)
        : base(NewFolder(), ownsFolder: true, new(settings ?? [])
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Kestrel:EndpointDefaults:Protocols"] = protocols,
        })
    {
        UseKestrel();
    }

    /// <summary>The bound address, e.g. http://127.0.0.1:41234 (starts the server).</summary>
    public Uri Address
    {
        get
        {
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
            return new Uri(Assert.Single(addresses.Addresses));
        }
    }
}

/// <summary>HTTP/2 without TLS, as on the OTLP/gRPC port 4317.</summary>
public sealed class GrpcDepMapFactory : KestrelDepMapFactory
{
    public GrpcDepMapFactory()
        : base("Http2")
    {
    }

    internal GrpcDepMapFactory(Dictionary<string, string?> settings)
        : base("Http2", settings)
    {
    }
}

/// <summary>HTTP/1.1, as on the OTLP/HTTP port 4318.</summary>
public sealed class HttpDepMapFactory : KestrelDepMapFactory
{
    public HttpDepMapFactory()
        : base("Http1")
    {
    }

    internal HttpDepMapFactory(Dictionary<string, string?> settings)
        : base("Http1", settings)
    {
    }
}

[CollectionDefinition(Name)]
public sealed class GrpcCollection : ICollectionFixture<GrpcDepMapFactory>
{
    public const string Name = "grpc";
}

[CollectionDefinition(Name)]
public sealed class HttpCollection : ICollectionFixture<HttpDepMapFactory>
{
    public const string Name = "http";
}
