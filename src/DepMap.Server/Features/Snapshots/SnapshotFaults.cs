using System.Diagnostics;

namespace DepMap.Server.Features.Snapshots;

/// <summary>
/// A seam for the fault tests, as <c>AggregationFaults</c> is for the aggregation's: when registered,
/// it runs right after a snapshot's row commits and before its files are written. A kill at random
/// rarely lands in that gap, so the setting <c>Faults:KillAfterSnapshotRow=true</c> (for the fault
/// tests only; unset, nothing is registered) makes the real process SIGKILL itself there, and a test
/// can check the next start writes the files (<see cref="SnapshotRepair"/>).
/// </summary>
internal sealed class SnapshotFaults
{
    public const string KillAfterRowSetting = "Faults:KillAfterSnapshotRow";

    /// <summary>Given the id of the snapshot whose row just committed.</summary>
    public required Action<long> AfterRowCommit { get; init; }

    public static SnapshotFaults KillingTheProcess() => new()
    {
        AfterRowCommit = id =>
        {
            // Written straight to stderr: the logger's queue would die unflushed with the process.
            Console.Error.WriteLine($"{KillAfterRowSetting}: snapshot {id}'s row is committed; killing the process before its files are written");
            using var self = Process.GetCurrentProcess();
            self.Kill();
        },
    };
}
