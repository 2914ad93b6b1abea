namespace DepMap.Server.Features.Snapshots;

/// <summary>The <c>Snapshots</c> settings: where the files go, who may delete, and the schedules.</summary>
internal sealed class SnapshotOptions
{
    /// <summary>Relative to the folder of the settings file (the repository root), so snapshots land in <c>graphs/</c>.</summary>
    public string Directory { get; set; } = "graphs";

    /// <summary>
    /// When set, the writes that are not ingest (taking and deleting snapshots, running the
    /// aggregation) also accept <c>Authorization: Bearer</c> this token from other machines
    /// (<see cref="Hosting.AdminAccess"/>).
    /// </summary>
    public string? AdminToken { get; set; }

    /// <summary>Recurring snapshots by name (the name is their label); an empty cron turns one off.</summary>
    public Dictionary<string, SnapshotSchedule> Schedules { get; set; } = [];
}

/// <summary>One recurring snapshot: a Hangfire cron (UTC) and the window it covers, ending now.</summary>
internal sealed class SnapshotSchedule
{
    public string Cron { get; set; } = "";
    public string Lookback { get; set; } = "1h";
}
