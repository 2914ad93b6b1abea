using System.Runtime;
using DepMap.Server.Features.Aggregation;

namespace DepMap.Server.Features.Ingest;

/// <summary>
/// Gives memory back to the operating system once a burst of ingest is over. The GC keeps the
/// memory it grew into for the next burst, so after a minute of large bodies the process would
/// stay at its peak; once no body has been held for <see cref="IdleFor"/> after at least
/// <see cref="IngestOptions.MaxBufferedBytes"/> went through, one aggressive collection compacts
/// and decommits what is free. Blocking, but only when ingest is idle, and once per burst. The
/// aggregation that ingest's commits wake links the burst's spans right after it, so the trim
/// also waits until no run has held the aggregation gate for as long: trimming before that run
/// would leave its memory in place.
/// </summary>
internal sealed partial class IngestMemoryTrimmer(IngestAdmission admission, AggregationGate aggregation, TimeProvider time,
    ILogger<IngestMemoryTrimmer> logger)
    : BackgroundService
{
    public static readonly TimeSpan IdleFor = TimeSpan.FromSeconds(5);

    private long _reserved;

    /// <summary>How many times memory was trimmed.</summary>
    public int Trims { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var (reserved, lastReleasedAt) = admission.TakeActivity();
            _reserved += reserved;
            if (_reserved < admission.Capacity || admission.HeldBytes > 0 || time.GetElapsedTime(lastReleasedAt) < IdleFor
                || aggregation.IsHeld || time.GetElapsedTime(aggregation.LastReleasedAt) < IdleFor)
            {
                continue;
            }
            var before = GC.GetTotalMemory(forceFullCollection: false);
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            Trims++;
            var after = GC.GetTotalMemory(forceFullCollection: false);
            LogTrimmed(logger, _reserved / (1024 * 1024), before / (1024 * 1024), after / (1024 * 1024));
            _reserved = 0;
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Ingest idle after {ReservedMiB} MiB of request bodies: memory trimmed, managed heap {BeforeMiB} -> {AfterMiB} MiB")]
    private static partial void LogTrimmed(ILogger logger, long reservedMiB, long beforeMiB, long afterMiB);
}
