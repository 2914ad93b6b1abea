using System.Net;
using DepMap.Tests.Shared;

namespace DepMap.Cli.Tests;

/// <summary>A tiny real HTTP server on 127.0.0.1 answering fixed bodies by path, standing in for DepMap.</summary>
internal sealed class GraphServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, (int Status, byte[] Body)> _routes;
    private readonly Task _loop;

    public GraphServer(Dictionary<string, (int Status, byte[] Body)> routes)
    {
        _routes = routes;
        Url = $"http://127.0.0.1:{TestMachine.FreePort()}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string Url { get; }
    public List<string> Requests { get; } = [];

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            var path = context.Request.Url!.PathAndQuery;
            lock (Requests)
            {
                Requests.Add(path);
            }
            var (status, body) = _routes.TryGetValue(path, out var route) ? route : (404, "not found"u8.ToArray());
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }
}
