using System.Buffers;
using System.IO.Compression;
using Microsoft.AspNetCore.Http.Features;

namespace DepMap.Server.Features.Ingest;

internal enum BodyStatus
{
    Read,
    TooLarge,
    BadGzip,
    UnsupportedEncoding,
}

/// <summary>
/// A request body read into a pooled buffer, decompressed when it is gzip. Dispose returns the buffer.
/// </summary>
internal sealed class RequestBody : IDisposable
{
    private byte[] _buffer;

    private RequestBody(byte[] buffer, int length, BodyStatus status, string? problem)
    {
        _buffer = buffer;
        Length = length;
        Status = status;
        Problem = problem;
    }

    public BodyStatus Status { get; }
    public string? Problem { get; }
    public int Length { get; }
    public ReadOnlyMemory<byte> Payload => _buffer.AsMemory(0, Length);

    /// <summary>
    /// Reads at most <paramref name="maxBytes"/> bytes of (decompressed) payload. The limit is
    /// checked while inflating, so a gzip bomb is refused after inflating just past the limit, not all of it.
    /// </summary>
    public static async Task<RequestBody> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        var encoding = request.Headers.ContentEncoding.ToString();
        var gzip = encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip && encoding.Length > 0 && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return Failed(BodyStatus.UnsupportedEncoding,
                $"Content-Encoding '{encoding}' is not supported. Supported: gzip, identity.");
        }
        if (!gzip && request.ContentLength > maxBytes)
        {
            return TooLarge(maxBytes);
        }
        // We enforce the cap ourselves, after decompression; Kestrel's own default (30 MB of
        // compressed bytes) would refuse differently or not at all.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = null;
        }

        var initial = (int)Math.Min(maxBytes + 1, !gzip && request.ContentLength is { } length ? length + 1 : 64 * 1024);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initial, 4096));
        var read = 0;
        var source = gzip ? new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true) : request.Body;
        try
        {
            while (true)
            {
                if (read == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, read).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var count = await source.ReadAsync(buffer.AsMemory(read), cancellationToken);
                if (count == 0)
                {
                    return new RequestBody(buffer, read, BodyStatus.Read, null);
                }
                read += count;
                if (read > maxBytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return TooLarge(maxBytes);
                }
            }
        }
        catch (InvalidDataException exception)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return Failed(BodyStatus.BadGzip, $"Content-Encoding gzip: the body is not valid gzip data ({exception.Message})");
        }
        finally
        {
            if (gzip)
            {
                await source.DisposeAsync();
            }
        }
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private static RequestBody TooLarge(long maxBytes) => Failed(BodyStatus.TooLarge,
        $"The request body exceeds the limit of {maxBytes} bytes (counted after decompression; setting Ingest:MaxBodyBytes).");

    private static RequestBody Failed(BodyStatus status, string problem) => new([], 0, status, problem);
}
