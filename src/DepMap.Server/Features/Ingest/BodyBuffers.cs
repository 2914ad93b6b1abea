using System.Collections.Concurrent;
using System.Numerics;

namespace DepMap.Server.Features.Ingest;

/// <summary>
/// The buffers request bodies are read into, up to 1 MiB, kept for the next body but never more
/// than <see cref="IngestOptions.MaxBufferedBytes"/> of them, and all let go by
/// <see cref="Clear"/> when the <see cref="IngestMemoryTrimmer"/> gives memory back.
/// <para>
/// Not ArrayPool.Shared: it keeps a fixed number of arrays per size and core (64 of a size on two
/// cores), so at 1,000 concurrent requests the 170 bodies the byte budget admits outran it, every
/// extra 256 KiB buffer was a new large-object allocation, and the server ran a gen2 collection
/// every second or two where 32 concurrent requests ran none (docs/benchmarks.md). And what it
/// keeps it keeps until memory is short, which the trim after a burst cannot reach. The byte
/// budget bounds what is rented at once, so a pool as large as the budget never misses after
/// the first burst, and holds no more than the budget's worth when idle.
/// </para>
/// </summary>
internal sealed class BodyBuffers(long capacity)
{
    /// <summary>Larger bodies get an array of their own, freed by the GC when answered.</summary>
    public const int MaxPooledBytes = 1024 * 1024;

    private const int SmallestBytes = 4096;

    private static readonly int Sizes = BitOperations.Log2(MaxPooledBytes / SmallestBytes) + 1;

    private readonly ConcurrentBag<byte[]>[] _free = [.. Enumerable.Range(0, Sizes).Select(_ => new ConcurrentBag<byte[]>())];
    private long _kept;

    /// <summary>Bytes held in free buffers now.</summary>
    public long KeptBytes => Interlocked.Read(ref _kept);

    /// <summary>A buffer of at least <paramref name="size"/> bytes (its contents are not cleared).</summary>
    public byte[] Rent(int size)
    {
        if (size > MaxPooledBytes)
        {
            return GC.AllocateUninitializedArray<byte>(size);
        }
        var index = Index(size);
        if (_free[index].TryTake(out var buffer))
        {
            Interlocked.Add(ref _kept, -buffer.Length);
            return buffer;
        }
        return GC.AllocateUninitializedArray<byte>(SmallestBytes << index);
    }

    /// <summary>Takes a buffer back, unless it was not one of the pool's sizes or the pool holds its capacity.</summary>
    public void Return(byte[] buffer)
    {
        if (buffer.Length is < SmallestBytes or > MaxPooledBytes || !BitOperations.IsPow2(buffer.Length))
        {
            return;
        }
        if (Interlocked.Add(ref _kept, buffer.Length) > capacity)
        {
            Interlocked.Add(ref _kept, -buffer.Length);
            return;
        }
        _free[Index(buffer.Length)].Add(buffer);
    }

    /// <summary>Lets every free buffer go, for the next collection to reclaim.</summary>
    public void Clear()
    {
        foreach (var bag in _free)
        {
            while (bag.TryTake(out var buffer))
            {
                Interlocked.Add(ref _kept, -buffer.Length);
            }
        }
    }

    private static int Index(int size) =>
        size <= SmallestBytes ? 0 : BitOperations.Log2((uint)size - 1) + 1 - BitOperations.Log2(SmallestBytes);
}
