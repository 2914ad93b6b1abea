namespace DepMap.Core.Conformance;

/// <summary>
/// The declared architecture judged by the observed one (docs/conformance.md): which entities run
/// as which services, the observed edges the model does not declare, the declared ones not used in
/// the window, entities and services that match nothing, and rule violations with their evidence.
/// </summary>
public sealed class ConformanceReport
{
    public required ArchitectureModel Model { get; init; }
    public required ObservedGraph Observed { get; init; }
    public required IReadOnlyList<EntityMapping> Mappings { get; init; }
    public required IReadOnlyList<ObservedEdge> UndeclaredEdges { get; init; }
    public required IReadOnlyList<UnusedDependency> UnusedEdges { get; init; }

    /// <summary>Why an unused edge may only be rare: the window is shorter than the rules' minimum, or of unknown length. Null when long enough.</summary>
    public string? UnusedNote { get; init; }

    /// <summary>Declared dependencies with an unmapped end: they cannot be checked (the entity is reported).</summary>
    public required int UncheckedDependencies { get; init; }
    public required IReadOnlyList<UnmappedEntity> UnmappedEntities { get; init; }
    public required IReadOnlyList<UnknownService> UnknownServices { get; init; }
    public required IReadOnlyList<RuleViolation> Violations { get; init; }

    /// <summary>No finding of any kind: what a model exported from the same window gives.</summary>
    public bool Conforms =>
        UndeclaredEdges.Count == 0 && UnusedEdges.Count == 0 && UnmappedEntities.Count == 0 && UnknownServices.Count == 0 && Violations.Count == 0;
}

/// <summary>How an entity was matched: <c>mapping file</c>, <c>alias</c>, <c>name</c> or <c>actor</c> (the entry node).</summary>
public sealed record EntityMapping(DeclaredEntity Entity, IReadOnlyList<string> Services, string By);

public sealed record UnmappedEntity(DeclaredEntity Entity, string Reason);

public sealed record UnusedDependency(DeclaredDependency Dependency, IReadOnlyList<string> CallerServices, IReadOnlyList<string> CalleeServices);

/// <summary>An observed node no entity maps to, with the traffic that shows it runs.</summary>
public sealed record UnknownService(ObservedNode Node, long CallCount, long ErrorCount, string? ExemplarTraceId);

/// <summary>
/// A broken rule: <see cref="Rule"/> is <c>forbidden-edge</c>, <c>layer</c>, <c>cycle</c>,
/// <c>fan-out</c> or <c>undeclared-service</c>; the edges, their calls, errors and one exemplar trace prove it.
/// </summary>
public sealed record RuleViolation(string Rule, string Subject, string Message, IReadOnlyList<ObservedEdge> Edges)
{
    public long CallCount => Edges.Sum(e => e.CallCount);
    public long ErrorCount => Edges.Sum(e => e.ErrorCount);

    /// <summary>A failing call's trace where there is one, else any edge's.</summary>
    public string? ExemplarTraceId =>
        Edges.Where(e => e.ErrorCount > 0).Select(e => e.ExemplarTraceId).FirstOrDefault(t => t is not null)
        ?? Edges.Select(e => e.ExemplarTraceId).FirstOrDefault(t => t is not null);
}
