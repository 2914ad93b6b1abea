namespace DepMap.Core.Conformance;

/// <summary>
/// Architecture rules checked against the observed graph (a rules file, docs/conformance.md).
/// Empty rules check nothing beyond the model itself.
/// </summary>
public sealed record ConformanceRules
{
    /// <summary>Below this window a declared edge seen unused may only be rare: the report says so.</summary>
    public static readonly TimeSpan DefaultMinWindow = TimeSpan.FromDays(1);

    // After DefaultMinWindow: static fields initialise in order.
    public static readonly ConformanceRules None = new();

    public IReadOnlyList<ForbiddenEdgeRule> Forbidden { get; init; } = [];

    /// <summary>Top layer first: a call may go to its own layer or a lower one, never up.</summary>
    public IReadOnlyList<LayerRule> Layers { get; init; } = [];

    public bool NoCycles { get; init; }

    /// <summary>The most distinct callees one service may call; null for no limit.</summary>
    public int? MaxFanOut { get; init; }

    /// <summary>Every observed service (not the entry node) must map to a declared entity.</summary>
    public bool EveryServiceDeclared { get; init; }

    public TimeSpan MinWindow { get; init; } = DefaultMinWindow;
}

/// <summary>Calls from what <see cref="From"/> selects to what <see cref="To"/> selects are forbidden; <see cref="Connection"/> narrows to one connection type.</summary>
public sealed record ForbiddenEdgeRule(NodeSelector From, NodeSelector To, string? Connection = null, string? Reason = null)
{
    public string Describe() =>
        $"{From.Describe()} must not call {To.Describe()}" + (Connection is null ? "" : $" over {Connection}") + (Reason is null ? "" : $" ({Reason})");
}

/// <summary>A named layer and what belongs to it; an entity's <c>depmap.io/layer</c> annotation also places it.</summary>
public sealed record LayerRule(string Name, IReadOnlyList<NodeSelector> Members);

/// <summary>
/// Selects nodes: every given field must match, case-insensitively. <see cref="Service"/> may use
/// <c>*</c> as a wildcard; <see cref="Type"/> matches the observed type (service, database, broker,
/// external, user) or the declared entity's type (Backstage <c>spec.type</c>, CALM <c>node-type</c>).
/// </summary>
public sealed record NodeSelector(string? Service = null, string? Namespace = null, string? Type = null)
{
    public bool IsEmpty => Service is null && Namespace is null && Type is null;

    public string Describe()
    {
        var parts = new List<string>();
        if (Service is not null)
        {
            parts.Add($"service {Service}");
        }
        if (Namespace is not null)
        {
            parts.Add($"namespace {Namespace}");
        }
        if (Type is not null)
        {
            parts.Add($"type {Type}");
        }
        return parts.Count == 0 ? "anything" : string.Join(" and ", parts);
    }

    internal bool Matches(ObservedNode node, IReadOnlyList<DeclaredEntity> entities) =>
        (Service is null || Glob(Service, node.Name))
        && (Namespace is null || Same(Namespace, node.Namespace) || entities.Any(e => Same(Namespace, e.Namespace)))
        && (Type is null || Same(Type, node.TypeWord) || entities.Any(e => Same(Type, e.Type)));

    private static bool Same(string a, string? b) => b is not null && string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static bool Glob(string pattern, string name)
    {
        if (!pattern.Contains('*', StringComparison.Ordinal))
        {
            return string.Equals(pattern, name, StringComparison.OrdinalIgnoreCase);
        }
        var parts = pattern.Split('*');
        var at = 0;
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (i == 0)
            {
                if (!name.StartsWith(part, StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
                at = part.Length;
                continue;
            }
            if (i == parts.Length - 1)
            {
                return name.Length - at >= part.Length && name.EndsWith(part, StringComparison.OrdinalIgnoreCase);
            }
            var found = name.IndexOf(part, at, StringComparison.OrdinalIgnoreCase);
            if (found < 0)
            {
                return false;
            }
            at = found + part.Length;
        }
        return true;
    }
}

/// <summary>
/// A mapping file: the observed service names a declared entity runs under, keyed by its ref
/// (<c>component:default/orders</c>) or its bare name, case-insensitively. Tried with the model's
/// own aliases, before the entity's name.
/// </summary>
public sealed class ServiceMapping
{
    public static readonly ServiceMapping None = new(new Dictionary<string, IReadOnlyList<string>>());

    private readonly Dictionary<string, IReadOnlyList<string>> _services;

    public ServiceMapping(IReadOnlyDictionary<string, IReadOnlyList<string>> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        _services = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, names) in services)
        {
            _services[key] = [.. (_services.GetValueOrDefault(key) ?? []).Concat(names)];
        }
    }

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Services => _services;

    internal IEnumerable<string> For(DeclaredEntity entity) =>
        (_services.GetValueOrDefault(entity.Ref) ?? []).Concat(_services.GetValueOrDefault(entity.Name) ?? []);
}
