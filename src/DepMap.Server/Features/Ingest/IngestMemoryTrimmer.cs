using System.Runtime;
using System.Runtime.InteropServices;
using DepMap.Server.Features.Aggregation;
using DepMap.Storage.Spans;
using Microsoft.Extensions.Options;

namespace DepMap.Server.Features.Ingest;

/// <summary>
/// Gives memory back to the operating system once a burst of ingest is over. The GC keeps the
/// memory it grew into for the next burst, so after a minute of large bodies the process would
/// stay at its peak; once no body has been held for <see cref="IdleFor"/> after at least
/// <see cref="IngestOptions.MaxBufferedBytes"/> went through (admitted, or refused and drained),
/// one aggressive collection compacts and decommits what is free. Blocking, but only when ingest
/// is idle, and once per burst. The aggregation that ingest's commits wake links the burst's spans
/// right after it, so the trim also waits until no run has held the aggregation gate for as long:
/// trimming before that run would leave its memory in place. That run's memory is mostly not the
/// GC's: each of its SQLite connections keeps a page cache of up to 64 MiB in the connection pool
/// (SqliteTuning), and glibc keeps the native heap SQLite freed; so the trim also closes the idle
/// pooled connections (the next run opens them again, warming its cache from the files), lets the
/// free body buffers go (<see cref="BodyBuffers"/>) and asks glibc to return its free pages.
/// <para>
/// Until then, a soft limit on the managed heap (<see cref="IngestOptions.HeapSoftLimitBytes"/>):
/// the server GC collects gen2 only when its own budget says so, and after a flood the aggregation
/// linking it promotes enough short-lived batches that the heap reached 495 MiB with 39 MiB alive,
/// which took the process to 832 MiB, past the stated bound (docs/reliability.md). Past the limit
/// one full collection is made; when it frees less than a quarter of the heap (the heap is alive,
/// a large flush say) the next check waits twice as long, up to a minute, so a live heap does not
/// cost a collection a second.
/// </para>
/// </summary>
internal sealed partial class IngestMemoryTrimmer(IngestAdmission admission, AggregationGate aggregation, ISpanStorage storage, TimeProvider time,
    IOptions<IngestOptions> options, ILogger<IngestMemoryTrimmer> logger)
    : BackgroundService
{
    public static readonly TimeSpan IdleFor = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan LongestHeapCheck = TimeSpan.FromMinutes(1);

    private readonly long _heapLimit = options.Value.HeapSoftLimitBytes;
    private long _reserved;
    private TimeSpan _heapCheck = TimeSpan.FromSeconds(1);
    private long _heapCheckedAt = time.GetTimestamp();

    /// <summary>How many collections the heap's soft limit made.</summary>
    public int LimitCollections { get; private set; }

    /// <summary>How many times memory was trimmed.</summary>
    public int Trims { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            KeepUnderHeapLimit();
            var (reserved, lastReleasedAt) = admission.TakeActivity();
            _reserved += reserved;
            if (_reserved < admission.Capacity || admission.HeldBytes > 0 || time.GetElapsedTime(lastReleasedAt) < IdleFor
                || aggregation.IsHeld || time.GetElapsedTime(aggregation.LastReleasedAt) < IdleFor)
            {
                continue;
            }
            var residentBefore = Environment.WorkingSet;
            var before = GC.GetTotalMemory(forceFullCollection: false);
            storage.CloseIdleConnections();
            admission.Buffers.Clear();
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            var nativeTrimmed = TrimNativeHeap();
            Trims++;
            var after = GC.GetTotalMemory(forceFullCollection: false);
            LogTrimmed(logger, _reserved / (1024 * 1024), before / (1024 * 1024), after / (1024 * 1024),
                residentBefore / (1024 * 1024), Environment.WorkingSet / (1024 * 1024), nativeTrimmed);
            _reserved = 0;
        }
    }

    private void KeepUnderHeapLimit()
    {
        if (_heapLimit <= 0 || time.GetElapsedTime(_heapCheckedAt) < _heapCheck)
        {
            return;
        }
        var before = GC.GetTotalMemory(forceFullCollection: false);
        if (before <= _heapLimit)
        {
            return;
        }
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        LimitCollections++;
        var after = GC.GetTotalMemory(forceFullCollection: false);
        _heapCheck = after > before * 3 / 4
            ? TimeSpan.FromTicks(Math.Min(_heapCheck.Ticks * 2, LongestHeapCheck.Ticks))
            : TimeSpan.FromSeconds(1);
        _heapCheckedAt = time.GetTimestamp();
        LogHeapLimit(logger, before / (1024 * 1024), _heapLimit / (1024 * 1024), after / (1024 * 1024));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Managed heap {BeforeMiB} MiB past its soft limit of {LimitMiB} MiB (Ingest:HeapSoftLimitBytes): collected, {AfterMiB} MiB")]
    private static partial void LogHeapLimit(ILogger logger, long beforeMiB, long limitMiB, long afterMiB);

    // glibc's malloc keeps freed pages of its arenas mapped; malloc_trim returns them. Other C
    // libraries (musl) have no such call and keep less, so its absence is not an error.
    private static bool TrimNativeHeap()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        try
        {
            return MallocTrim(0) != 0;
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    // DllImport rather than LibraryImport: the generated stub would need unsafe code in the whole
    // project for one call with blittable arguments, which needs no marshalling either way.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "malloc_trim")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MallocTrim(nuint pad);
#pragma warning restore SYSLIB1054

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Ingest and aggregation idle after {ReservedMiB} MiB of request bodies: memory trimmed, managed heap {BeforeMiB} -> {AfterMiB} MiB, resident {ResidentBeforeMiB} -> {ResidentAfterMiB} MiB (idle store connections closed, native heap returned: {NativeTrimmed})")]
    private static partial void LogTrimmed(ILogger logger, long reservedMiB, long beforeMiB, long afterMiB, long residentBeforeMiB, long residentAfterMiB, bool nativeTrimmed);
}
