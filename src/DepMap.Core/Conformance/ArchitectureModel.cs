namespace DepMap.Core.Conformance;

/// <summary>
/// A declared architecture, whatever file it came from (a Backstage catalog, a Structurizr
/// workspace, a CALM document): the entities that should run and the dependencies declared between
/// them, each entity known by its <see cref="DeclaredEntity.Ref"/>. Groups (Backstage systems,
/// Structurizr software systems with containers) are not entities: they give their members a
/// namespace. APIs are joined by the importer into direct dependencies (consumer to provider).
/// </summary>
public sealed class ArchitectureModel
{
    public ArchitectureModel(string format, IEnumerable<DeclaredEntity> entities, IEnumerable<DeclaredDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(entities);
        ArgumentNullException.ThrowIfNull(dependencies);
        Format = format;
        var byRef = new Dictionary<string, DeclaredEntity>(StringComparer.OrdinalIgnoreCase);
        foreach (var entity in entities)
        {
            // Entity refs are case-insensitive (Backstage); the first declaration wins, as a catalog keeps one entity per ref.
            byRef.TryAdd(entity.Ref, entity);
        }
        var edges = new List<DeclaredDependency>();
        var seen = new HashSet<(string, string)>();
        foreach (var dependency in dependencies)
        {
            // A reference to an entity declared elsewhere (another catalog file) still names a service: keep it as an entity.
            foreach (var end in new[] { dependency.From, dependency.To })
            {
                if (!byRef.ContainsKey(end))
                {
                    byRef.Add(end, DeclaredEntity.FromRef(end));
                }
            }
            if (seen.Add((dependency.From.ToLowerInvariant(), dependency.To.ToLowerInvariant())))
            {
                edges.Add(dependency);
            }
        }
        Entities = [.. byRef.Values.OrderBy(e => e.Ref, StringComparer.OrdinalIgnoreCase)];
        Dependencies = [.. edges.OrderBy(d => d.From, StringComparer.OrdinalIgnoreCase).ThenBy(d => d.To, StringComparer.OrdinalIgnoreCase)];
        _byRef = byRef;
    }

    private readonly Dictionary<string, DeclaredEntity> _byRef;

    /// <summary><c>backstage</c>, <c>structurizr</c>, <c>structurizr-dsl</c> or <c>calm</c>.</summary>
    public string Format { get; }
    public IReadOnlyList<DeclaredEntity> Entities { get; }
    public IReadOnlyList<DeclaredDependency> Dependencies { get; }

    public DeclaredEntity? Find(string entityRef) => _byRef.GetValueOrDefault(entityRef);
}

/// <summary>
/// One declared thing that should appear in the observed graph. <see cref="Ref"/> is
/// <c>kind:namespace/name</c> as Backstage writes refs (lower-case kind); <see cref="Aliases"/> are
/// the observed service names it may run under (annotation <c>depmap.io/service-name</c>), tried
/// before its name. <see cref="IsActor"/>: a person or actor, which maps to the entry node.
/// </summary>
public sealed record DeclaredEntity(
    string Ref,
    string Kind,
    string Name,
    string? Namespace = null,
    string? Type = null,
    string? Layer = null,
    bool IsActor = false)
{
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>A title or display name tried after the name (CALM and Structurizr name elements for people).</summary>
    public string? Title { get; init; }

    /// <summary>An entity known only from a reference: <c>kind:namespace/name</c>.</summary>
    public static DeclaredEntity FromRef(string entityRef)
    {
        ArgumentNullException.ThrowIfNull(entityRef);
        var colon = entityRef.IndexOf(':', StringComparison.Ordinal);
        var kind = colon < 0 ? "component" : entityRef[..colon];
        var rest = colon < 0 ? entityRef : entityRef[(colon + 1)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var ns = slash < 0 ? null : rest[..slash];
        var name = slash < 0 ? rest : rest[(slash + 1)..];
        return new DeclaredEntity(entityRef, kind, name, ns is null or "default" ? null : ns);
    }
}

/// <summary>A declared dependency, caller to callee; <see cref="Via"/> names what declares it (an API joined, a relationship id).</summary>
public sealed record DeclaredDependency(string From, string To, string? Via = null);
