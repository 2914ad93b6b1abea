using System.IO.Compression;
using Microsoft.AspNetCore.Http.Features;

namespace DepMap.Server.Features.Ingest;

internal enum BodyStatus
{
    Read,
    TooLarge,
    BadGzip,
    UnsupportedEncoding,
    Busy,
}

/// <summary>
/// A request body read into memory, decompressed when it is gzip, under <see cref="IngestAdmission"/>'s
/// byte budget. Dispose gives the buffer and its reservation back.
/// </summary>
internal sealed class RequestBody : IDisposable
{
    private const int UnknownLengthStartBytes = 64 * 1024;

    private byte[] _buffer;
    private readonly BodyBuffers? _buffers;
    private BodyReservation? _reservation;

    private RequestBody(byte[] buffer, BodyBuffers? buffers, int length, BodyReservation? reservation, BodyStatus status, string? problem)
    {
        _buffer = buffer;
        _buffers = buffers;
        _reservation = reservation;
        if (status == BodyStatus.Read)
        {
            reservation?.MarkRead();
        }
        Length = length;
        Status = status;
        Problem = problem;
    }

    public BodyStatus Status { get; }
    public string? Problem { get; }
    public int Length { get; }
    public ReadOnlyMemory<byte> Payload => _buffer.AsMemory(0, Length);

    /// <summary>
    /// Reads at most <paramref name="maxBytes"/> bytes of (decompressed) payload. A body that
    /// declares its length reserves it in <paramref name="admission"/> before a byte is read and is
    /// refused (<see cref="BodyStatus.Busy"/>) when it does not fit; gzip or chunked bodies reserve
    /// as their buffer grows. The limit is checked while inflating, so a gzip bomb is refused after
    /// inflating just past the limit, not all of it.
    /// </summary>
    public static async Task<RequestBody> ReadAsync(
        HttpRequest request, long maxBytes, IngestAdmission admission, CancellationToken cancellationToken)
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
        // Kestrel holds a plain body to its Content-Length, so that is exactly what will be read.
        var declared = !gzip && request.ContentLength is { } length ? (int)length : (int?)null;
        var size = declared ?? (int)Math.Min(maxBytes, UnknownLengthStartBytes);
        var reservation = admission.TryReserve(size);
        if (reservation is null)
        {
            return Failed(BodyStatus.Busy,
                $"Ingest is holding its limit of {admission.Capacity} bytes of request bodies (setting Ingest:MaxBufferedBytes); retry later.");
        }
        // We enforce the cap ourselves, after decompression; Kestrel's own default (30 MB of
        // compressed bytes) would refuse differently or not at all.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = null;
        }

        var buffers = admission.Buffers;
        var buffer = buffers.Rent(size);
        var read = 0;
        var source = gzip ? new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true) : request.Body;
        var done = false;
        try
        {
            while (true)
            {
                if (read == declared)
                {
                    done = true;
                    return new RequestBody(buffer, buffers, read, reservation, BodyStatus.Read, null);
                }
                if (read == buffer.Length && read >= maxBytes)
                {
                    // Full at the cap: one more byte means too large, none means done.
                    var probe = new byte[1];
                    if (await source.ReadAsync(probe, cancellationToken) > 0)
                    {
                        return TooLarge(maxBytes);
                    }
                    done = true;
                    return new RequestBody(buffer, buffers, read, reservation, BodyStatus.Read, null);
                }
                if (read == buffer.Length)
                {
                    // Only the growth is reserved, so the largest body alone always fits the budget;
                    // the old buffer is held uncounted just for the copy.
                    var larger = (int)Math.Min((long)buffer.Length * 2, maxBytes);
                    if (!reservation.TryGrow(larger - size))
                    {
                        return Failed(BodyStatus.Busy,
                            $"Ingest is holding its limit of {admission.Capacity} bytes of request bodies (setting Ingest:MaxBufferedBytes); retry later.");
                    }
                    var grown = buffers.Rent(larger);
                    buffer.AsSpan(0, read).CopyTo(grown);
                    buffers.Return(buffer);
                    (buffer, size) = (grown, larger);
                }
                var count = await source.ReadAsync(buffer.AsMemory(read), cancellationToken);
                if (count == 0)
                {
                    done = true;
                    return new RequestBody(buffer, buffers, read, reservation, BodyStatus.Read, null);
                }
                read += count;
                if (read > maxBytes)
                {
                    return TooLarge(maxBytes);
                }
            }
        }
        catch (InvalidDataException exception)
        {
            return Failed(BodyStatus.BadGzip, $"Content-Encoding gzip: the body is not valid gzip data ({exception.Message})");
        }
        finally
        {
            if (!done)
            {
                buffers.Return(buffer);
                reservation.Dispose();
            }
            if (gzip)
            {
                await source.DisposeAsync();
            }
        }
    }

    public void Dispose()
    {
        _buffers?.Return(_buffer);
        _buffer = [];
        _reservation?.Dispose();
        _reservation = null;
    }

    private static RequestBody TooLarge(long maxBytes) => Failed(BodyStatus.TooLarge,
        $"The request body exceeds the limit of {maxBytes} bytes (counted after decompression; setting Ingest:MaxBodyBytes).");

    private static RequestBody Failed(BodyStatus status, string problem) => new([], null, 0, null, status, problem);
}
