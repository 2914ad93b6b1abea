using System.Collections.Concurrent;
using System.Net;
using DepMap.Tests.Shared;

namespace DepMap.Ingest.Tests;

/// <summary>A minimal OTLP/HTTP receiver on 127.0.0.1 that keeps every request body it is sent.</summary>
internal sealed class OtlpCaptureServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly Task _loop;

    public OtlpCaptureServer()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = TestMachine.FreePort();
            _listener = new HttpListener();
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                _listener.Start();
                BaseUri = new Uri($"http://127.0.0.1:{port}/");
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // Another process took the port between probing and binding: try another.
                _listener.Close();
            }
        }
        _loop = Task.Run(ServeAsync);
    }

    public Uri BaseUri { get; }

    public ConcurrentQueue<CapturedRequest> Requests { get; } = new();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            Requests.Enqueue(new CapturedRequest(context.Request.Url!.AbsolutePath, context.Request.ContentType, body.ToArray()));
            var answer = SpanDecoders.EncodeExportResponse(0, null);
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            await context.Response.OutputStream.WriteAsync(answer);
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}

internal sealed record CapturedRequest(string Path, string? ContentType, byte[] Body);
