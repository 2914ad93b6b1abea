namespace DepMap.Core.Reliability;

/// <summary>
/// One service's reliability over many traces: its summed <see cref="ServiceFacts"/>, the
/// end-to-end time of the traces it appears in (the denominator of its self-time share), how many
/// traces touched it, and the entry points whose traffic reached it.
/// </summary>
public sealed class ServiceTotals
{
    public const int MaxEntryPoints = 16;

    public ServiceFacts Facts { get; internal set; }
    public long EndToEndNano { get; internal set; }
    public long Traces { get; internal set; }
    public BoundedCounts EntryPoints { get; } = new(MaxEntryPoints);

    public bool IsEmpty => Facts.IsZero && EndToEndNano == 0 && Traces == 0 && EntryPoints.IsEmpty;

    /// <summary>Originated errors per request; zero without requests.</summary>
    public double OriginatedRate => Facts.Requests > 0 ? (double)Facts.Originated / Facts.Requests : 0;

    /// <summary>The share of the end-to-end time of its traces spent in its own spans, in [0, 1].</summary>
    public double SelfTimeShare => EndToEndNano > 0 ? Math.Clamp((double)Facts.SelfTimeNano / EndToEndNano, 0, 1) : 0;
}
