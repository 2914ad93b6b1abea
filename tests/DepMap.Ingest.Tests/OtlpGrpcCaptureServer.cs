using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DepMap.Ingest.Tests;

/// <summary>
/// A bare OTLP/gRPC receiver: Kestrel with HTTP/2 on 127.0.0.1 and a free port, one route for the
/// TraceService/Export method, and the gRPC length-prefixed framing done by hand, as the server
/// will bind it with a raw-bytes marshaller. It keeps every request message it receives.
/// </summary>
internal sealed class OtlpGrpcCaptureServer : IAsyncDisposable
{
    public const string ExportPath = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

    private readonly WebApplication _app;

    private OtlpGrpcCaptureServer(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    public ConcurrentQueue<byte[]> Messages { get; } = new();

    public static async Task<OtlpGrpcCaptureServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        OtlpGrpcCaptureServer? server = null;
        app.MapPost(ExportPath, async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var frame = body.ToArray();
            // gRPC framing: a compressed flag byte, a 4-byte big-endian length, the message.
            server!.Messages.Enqueue(frame[5..(5 + (int)BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(1)))]);
            var answer = SpanDecoders.EncodeExportResponse(0, null);
            var reply = new byte[5 + answer.Length];
            BinaryPrimitives.WriteUInt32BigEndian(reply.AsSpan(1), (uint)answer.Length);
            answer.CopyTo(reply, 5);
            context.Response.ContentType = "application/grpc";
            await context.Response.Body.WriteAsync(reply);
            context.Response.AppendTrailer("grpc-status", "0");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new OtlpGrpcCaptureServer(app, new Uri(address));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
