using DepMap.Server.Features.Ingest;

namespace DepMap.Server.Tests.Features.Ingest;

public class BodyBuffersTests
{
    [Fact]
    public void Rent_ReusesAReturnedBuffer_OfTheSameSize()
    {
        var buffers = new BodyBuffers(32 * 1024 * 1024);
        var first = buffers.Rent(190_000);
        Assert.Equal(256 * 1024, first.Length);
        buffers.Return(first);
        Assert.Equal(256 * 1024, buffers.KeptBytes);

        Assert.Same(first, buffers.Rent(200_000));
        Assert.Equal(0, buffers.KeptBytes);
    }

    [Fact]
    public void Return_KeepsNoMoreThanTheCapacity_WhenMoreBuffersComeBack()
    {
        var buffers = new BodyBuffers(1024 * 1024);
        var rented = Enumerable.Range(0, 6).Select(_ => buffers.Rent(256 * 1024)).ToList();
        foreach (var buffer in rented)
        {
            buffers.Return(buffer);
        }

        Assert.Equal(1024 * 1024, buffers.KeptBytes);
        var again = Enumerable.Range(0, 6).Select(_ => buffers.Rent(256 * 1024)).ToList();
        Assert.Equal(4, again.Count(rented.Contains));
    }

    [Fact]
    public void Clear_LetsEveryFreeBufferGo()
    {
        var buffers = new BodyBuffers(32 * 1024 * 1024);
        var small = buffers.Rent(100);
        var large = buffers.Rent(BodyBuffers.MaxPooledBytes);
        buffers.Return(small);
        buffers.Return(large);
        Assert.Equal(4096 + BodyBuffers.MaxPooledBytes, buffers.KeptBytes);

        buffers.Clear();

        Assert.Equal(0, buffers.KeptBytes);
        Assert.NotSame(large, buffers.Rent(BodyBuffers.MaxPooledBytes));
    }

    [Fact]
    public void Return_DropsABodyOverTheLargestPooledSize()
    {
        var buffers = new BodyBuffers(64 * 1024 * 1024);
        var body = buffers.Rent(BodyBuffers.MaxPooledBytes + 1);
        Assert.Equal(BodyBuffers.MaxPooledBytes + 1, body.Length);

        buffers.Return(body);

        Assert.Equal(0, buffers.KeptBytes);
    }
}
