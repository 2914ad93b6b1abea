using DepMap.Core.Spans;

namespace DepMap.Core.Reliability;

/// <summary>
/// The reliability facts of one trace: per service its requests, where their failures originated
/// and its self time; per edge the failed calls and whether they failed downstream or at the
/// client; the trace's end-to-end time and its entry point. Pure: the same spans give the same facts.
/// </summary>
public sealed record TraceReliability
{
    /// <summary>The entry point of a trace whose root span names no service.</summary>
    public const string UnknownEntryPoint = "user";

    public static readonly TraceReliability Empty = new()
    {
        EntryPoint = UnknownEntryPoint,
        Services = new FactsByKey<string, ServiceFacts>([]),
        Edges = new FactsByKey<ServiceEdge, EdgeFacts>([]),
    };

    /// <summary>The service of the trace's root span (the earliest root when several), else <see cref="UnknownEntryPoint"/>.</summary>
    public required string EntryPoint { get; init; }

    /// <summary>The root span's duration; for a trace with several roots, latest end minus earliest start.</summary>
    public long EndToEndNano { get; init; }

    /// <summary>Every service that reported a span in the trace, with its facts.</summary>
    public required IReadOnlyDictionary<string, ServiceFacts> Services { get; init; }

    public required IReadOnlyDictionary<ServiceEdge, EdgeFacts> Edges { get; init; }

    /// <summary>Analyses the spans of one trace (any order, duplicates and bad parents tolerated).</summary>
    public static TraceReliability Analyze(IReadOnlyList<Span> spansOfOneTrace) =>
        spansOfOneTrace.Count == 0 ? Empty : TraceReliabilityAnalyzer.Analyze(spansOfOneTrace);
}
