using System.Net.Sockets;
using System.Text;

namespace DepMap.Server.Tests.Features.Ingest;

/// <summary>
/// A client on a plain socket, for what HttpClient will not do: announce a body and then send it
/// slowly, or not at all, the way the slow clients of the hostile test did.
/// </summary>
internal sealed class RawHttp : IDisposable
{
    private readonly Socket _socket = new(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };

    public static async Task<RawHttp> PostHeadAsync(Uri server, string path, long contentLength, string contentType = "application/x-protobuf")
    {
        var client = new RawHttp();
        await client._socket.ConnectAsync(server.Host, server.Port);
        await client.SendAsync(Encoding.ASCII.GetBytes(
            $"POST {path} HTTP/1.1\r\nHost: {server.Host}\r\nContent-Type: {contentType}\r\nContent-Length: {contentLength}\r\n\r\n"));
        return client;
    }

    /// <summary>
    /// Sends a request head with <c>Expect: 100-continue</c> and returns once the server has
    /// admitted the body: Kestrel sends "100 Continue" when the endpoint starts reading it, after
    /// admission reserved its bytes. Fails with the server's answer when it refused instead.
    /// </summary>
    public static async Task<RawHttp> PostHeadAdmittedAsync(Uri server, string path, long contentLength, string contentType = "application/x-protobuf")
    {
        var client = new RawHttp();
        await client._socket.ConnectAsync(server.Host, server.Port);
        await client.SendAsync(Encoding.ASCII.GetBytes(
            $"POST {path} HTTP/1.1\r\nHost: {server.Host}\r\nContent-Type: {contentType}\r\nContent-Length: {contentLength}\r\nExpect: 100-continue\r\n\r\n"));
        var head = await client.ReadHeadAsync(TimeSpan.FromSeconds(30));
        if (head is null || !head.StartsWith("HTTP/1.1 100", StringComparison.Ordinal))
        {
            client.Dispose();
            throw new InvalidOperationException($"the server did not admit the body: {head ?? "no answer"}");
        }
        return client;
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes) => await _socket.SendAsync(bytes, SocketFlags.None);

    /// <summary>Whether the server has answered (or closed) already: an upload it refused rather than admitted.</summary>
    public bool Answered => _socket.Poll(0, SelectMode.SelectRead);

    /// <summary>Sends on the calling thread, for a sender that must not wait on the thread pool.</summary>
    public void Send(ReadOnlySpan<byte> bytes) => _socket.Send(bytes, SocketFlags.None);

    /// <summary>The response's head (status line and headers), or null when the server closed the connection first.</summary>
    public async Task<string?> ReadHeadAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var head = new StringBuilder();
        var buffer = new byte[4096];
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            int read;
            try
            {
                read = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                // Dropped, or no answer in time (an admitted body the server is still waiting for).
                return head.Length > 0 ? head.ToString() : null;
            }
            if (read == 0)
            {
                return null;
            }
            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        return head.ToString();
    }

    public void Dispose() => _socket.Dispose();
}
