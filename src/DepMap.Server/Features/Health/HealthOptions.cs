namespace DepMap.Server.Features.Health;

/// <summary>The <c>Health</c> settings (documented in appsettings.json).</summary>
internal sealed class HealthOptions
{
    /// <summary>
    /// /readyz answers 503 when the oldest span not yet linked is older than this. Normal running
    /// keeps it near Aggregation:SettleSeconds (the grace of incomplete traces) plus a run.
    /// </summary>
    public double MaxAggregationLagSeconds { get; set; } = 300;
}
