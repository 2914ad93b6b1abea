using DepMap.Core.Linking;
using QuikGraph;
using QuikGraph.Algorithms;

namespace DepMap.Core.Conformance;

/// <summary>
/// Judges a declared model by the observed graph. Entities map to observed nodes by the mapping
/// file and their aliases, else by name (then title), case-insensitively; a name match is refused
/// when both sides know a namespace and they differ (OpenTelemetry's <c>service.namespace</c>
/// against the entity's namespace or system). Actors map to the entry node. An edge is declared
/// when some dependency's ends map to its caller and callee, whatever the connection type; edges
/// from the entry node count only when the model declares an actor, since a catalog rarely lists
/// its users.
/// </summary>
public static class ConformanceCheck
{
    public static ConformanceReport Run(ArchitectureModel model, ObservedGraph observed, ConformanceRules? rules = null, ServiceMapping? mapping = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(observed);
        rules ??= ConformanceRules.None;
        mapping ??= ServiceMapping.None;

        var byName = observed.Nodes.ToLookup(n => n.Name, StringComparer.OrdinalIgnoreCase);
        var mappings = new List<EntityMapping>();
        var unmapped = new List<UnmappedEntity>();
        var servicesOf = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        var entitiesOf = new Dictionary<string, List<DeclaredEntity>>(StringComparer.Ordinal);
        foreach (var entity in model.Entities)
        {
            var (services, by, reason) = Map(entity, observed, byName, mapping);
            if (services.Count == 0)
            {
                unmapped.Add(new UnmappedEntity(entity, reason!));
                continue;
            }
            mappings.Add(new EntityMapping(entity, services, by));
            servicesOf[entity.Ref] = services;
            foreach (var service in services)
            {
                if (!entitiesOf.TryGetValue(service, out var list))
                {
                    entitiesOf[service] = list = [];
                }
                list.Add(entity);
            }
        }

        var withActors = model.Entities.Any(e => e.IsActor);
        var nodes = observed.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        bool Checked(ObservedEdge edge) =>
            withActors || (nodes.GetValueOrDefault(edge.Key.Caller)?.Type != NodeType.User && nodes.GetValueOrDefault(edge.Key.Callee)?.Type != NodeType.User);
        var edges = observed.Edges.Where(Checked).ToList();
        var observedPairs = edges.Select(e => (e.Key.Caller, e.Key.Callee)).ToHashSet();

        var declaredPairs = new HashSet<(string, string)>();
        var unused = new List<UnusedDependency>();
        var unchecked_ = 0;
        foreach (var dependency in model.Dependencies)
        {
            if (!servicesOf.TryGetValue(dependency.From, out var callers) || !servicesOf.TryGetValue(dependency.To, out var callees))
            {
                unchecked_++;
                continue;
            }
            var used = false;
            foreach (var caller in callers)
            {
                foreach (var callee in callees)
                {
                    declaredPairs.Add((caller, callee));
                    used |= observedPairs.Contains((caller, callee));
                }
            }
            if (!used)
            {
                unused.Add(new UnusedDependency(dependency, callers, callees));
            }
        }

        bool SameEntity(string a, string b) =>
            entitiesOf.TryGetValue(a, out var ea) && entitiesOf.TryGetValue(b, out var eb) && ea.Intersect(eb).Any();
        var undeclared = edges
            .Where(e => !declaredPairs.Contains((e.Key.Caller, e.Key.Callee)) && !SameEntity(e.Key.Caller, e.Key.Callee))
            .ToList();

        var touching = new Dictionary<string, List<ObservedEdge>>(StringComparer.Ordinal);
        foreach (var edge in observed.Edges)
        {
            Touching(touching, edge.Key.Caller).Add(edge);
            if (edge.Key.Callee != edge.Key.Caller)
            {
                Touching(touching, edge.Key.Callee).Add(edge);
            }
        }
        var unknown = observed.Nodes
            .Where(n => n.Type != NodeType.User && !entitiesOf.ContainsKey(n.Name))
            .Select(n => Unknown(n, touching.GetValueOrDefault(n.Name) ?? []))
            .ToList();

        IReadOnlyList<DeclaredEntity> EntitiesOf(string service) => entitiesOf.TryGetValue(service, out var list) ? list : [];
        var violations = new List<RuleViolation>();
        violations.AddRange(Forbidden(rules, edges, nodes, EntitiesOf));
        violations.AddRange(Layers(rules, edges, nodes, EntitiesOf));
        if (rules.NoCycles)
        {
            violations.AddRange(Cycles(edges, nodes));
        }
        if (rules.MaxFanOut is { } max)
        {
            violations.AddRange(FanOut(max, edges, nodes));
        }
        if (rules.EveryServiceDeclared)
        {
            violations.AddRange(unknown.Select(u => new RuleViolation(
                "undeclared-service", u.Node.Name,
                $"{u.Node.Name} ({u.Node.TypeWord}) runs but no declared entity maps to it",
                touching.GetValueOrDefault(u.Node.Name) ?? [])));
        }

        return new ConformanceReport
        {
            Model = model,
            Observed = observed,
            Mappings = mappings,
            UndeclaredEdges = undeclared,
            UnusedEdges = unused,
            UnusedNote = unused.Count == 0 ? null : WindowNote(observed.Window, rules.MinWindow),
            UncheckedDependencies = unchecked_,
            UnmappedEntities = unmapped,
            UnknownServices = unknown,
            Violations = violations,
        };
    }

    /// <summary>The note for unused edges when the window cannot show a rarely used dependency; null when it is long enough.</summary>
    public static string? WindowNote(ObservedWindow window, TimeSpan minWindow)
    {
        ArgumentNullException.ThrowIfNull(window);
        return window.Length is not { } length
            ? "the window's length is unknown: a dependency used rarely may only look unused"
            : length < minWindow
                ? $"the window is {ConformanceText.Duration(length)}, shorter than {ConformanceText.Duration(minWindow)}: a dependency used less often may only look unused"
                : null;
    }

    private static (IReadOnlyList<string> Services, string By, string? Reason) Map(
        DeclaredEntity entity, ObservedGraph observed, ILookup<string, ObservedNode> byName, ServiceMapping mapping)
    {
        if (entity.IsActor)
        {
            var entry = observed.Nodes.Where(n => n.Type == NodeType.User).Select(n => n.Name).ToList();
            return entry.Count > 0 ? (entry, "actor", null) : ([], "", "an actor maps to the entry node, and none was observed");
        }
        var explicitNames = mapping.For(entity).Select(n => ("mapping file", n)).Concat(entity.Aliases.Select(a => ("alias", a))).ToList();
        if (explicitNames.Count > 0)
        {
            var found = new List<string>();
            var how = "";
            foreach (var (by, name) in explicitNames)
            {
                foreach (var node in Best(byName[name], name))
                {
                    if (!found.Contains(node.Name, StringComparer.Ordinal))
                    {
                        found.Add(node.Name);
                        how = how.Length == 0 ? by : how;
                    }
                }
            }
            return found.Count > 0
                ? (found, how, null)
                : ([], "", $"no observed service named {string.Join(", ", explicitNames.Select(n => $"'{n.Item2}'").Distinct())} (its mapping or alias)");
        }
        string? refused = null;
        foreach (var name in new[] { entity.Name, entity.Title }.OfType<string>())
        {
            foreach (var node in Best(byName[name], name))
            {
                if (node.Namespace is not null && entity.Namespace is not null
                    && !string.Equals(node.Namespace, entity.Namespace, StringComparison.OrdinalIgnoreCase))
                {
                    refused = $"service {node.Name} has service.namespace '{node.Namespace}', the entity's namespace is '{entity.Namespace}'";
                    continue;
                }
                return ([node.Name], "name", null);
            }
        }
        return ([], "", refused ?? $"no observed service named '{entity.Name}'" + (entity.Title is { } t && t != entity.Name ? $" or '{t}'" : ""));
    }

    // Several nodes may differ only in case: the exact spelling first, the entry node never by name.
    private static IEnumerable<ObservedNode> Best(IEnumerable<ObservedNode> candidates, string name) =>
        candidates.Where(n => n.Type != NodeType.User).OrderBy(n => string.Equals(n.Name, name, StringComparison.Ordinal) ? 0 : 1).Take(1);

    private static List<ObservedEdge> Touching(Dictionary<string, List<ObservedEdge>> touching, string node)
    {
        if (!touching.TryGetValue(node, out var list))
        {
            touching[node] = list = [];
        }
        return list;
    }

    private static UnknownService Unknown(ObservedNode node, List<ObservedEdge> touching)
    {
        var exemplar = touching.OrderByDescending(e => e.ErrorCount > 0).ThenByDescending(e => e.CallCount)
            .Select(e => e.ExemplarTraceId).FirstOrDefault(t => t is not null);
        return new UnknownService(node, touching.Sum(e => e.CallCount), touching.Sum(e => e.ErrorCount), exemplar);
    }

    private static IEnumerable<RuleViolation> Forbidden(
        ConformanceRules rules, List<ObservedEdge> edges, Dictionary<string, ObservedNode> nodes, Func<string, IReadOnlyList<DeclaredEntity>> entities)
    {
        foreach (var rule in rules.Forbidden)
        {
            foreach (var edge in edges)
            {
                if (nodes.GetValueOrDefault(edge.Key.Caller) is { } caller && nodes.GetValueOrDefault(edge.Key.Callee) is { } callee
                    && rule.From.Matches(caller, entities(caller.Name)) && rule.To.Matches(callee, entities(callee.Name))
                    && (rule.Connection is null || string.Equals(rule.Connection, edge.ConnectionWord.Length == 0 ? "rpc" : edge.ConnectionWord, StringComparison.OrdinalIgnoreCase)))
                {
                    yield return new RuleViolation("forbidden-edge", $"{caller.Name} -> {callee.Name}", $"{caller.Name} calls {callee.Name}: {rule.Describe()}", [edge]);
                }
            }
        }
    }

    private static IEnumerable<RuleViolation> Layers(
        ConformanceRules rules, List<ObservedEdge> edges, Dictionary<string, ObservedNode> nodes, Func<string, IReadOnlyList<DeclaredEntity>> entities)
    {
        if (rules.Layers.Count == 0)
        {
            yield break;
        }
        int? LayerOf(ObservedNode node)
        {
            var declared = entities(node.Name);
            foreach (var entity in declared)
            {
                var index = entity.Layer is null ? -1 : IndexOf(rules.Layers, entity.Layer);
                if (index >= 0)
                {
                    return index;
                }
            }
            for (var i = 0; i < rules.Layers.Count; i++)
            {
                if (rules.Layers[i].Members.Any(m => m.Matches(node, declared)))
                {
                    return i;
                }
            }
            return null;
        }
        var layers = nodes.Values.ToDictionary(n => n.Name, LayerOf, StringComparer.Ordinal);
        foreach (var edge in edges)
        {
            if (layers.GetValueOrDefault(edge.Key.Caller) is { } from && layers.GetValueOrDefault(edge.Key.Callee) is { } to && to < from)
            {
                yield return new RuleViolation("layer", $"{edge.Key.Caller} -> {edge.Key.Callee}",
                    $"{edge.Key.Caller} (layer {rules.Layers[from].Name}) calls up to {edge.Key.Callee} (layer {rules.Layers[to].Name}): calls only go down", [edge]);
            }
        }
    }

    private static int IndexOf(IReadOnlyList<LayerRule> layers, string name)
    {
        for (var i = 0; i < layers.Count; i++)
        {
            if (string.Equals(layers[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return -1;
    }

    private static IEnumerable<RuleViolation> Cycles(List<ObservedEdge> edges, Dictionary<string, ObservedNode> nodes)
    {
        var graph = new AdjacencyGraph<string, SEquatableEdge<string>>(allowParallelEdges: false);
        graph.AddVertexRange(nodes.Keys);
        foreach (var edge in edges)
        {
            graph.AddVerticesAndEdge(new SEquatableEdge<string>(edge.Key.Caller, edge.Key.Callee));
        }
        var components = new Dictionary<string, int>(StringComparer.Ordinal);
        graph.StronglyConnectedComponents(components);
        var sizes = components.Values.GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        var inCycle = edges
            .Where(e => components[e.Key.Caller] == components[e.Key.Callee] && (sizes[components[e.Key.Caller]] > 1 || e.Key.Caller == e.Key.Callee))
            .GroupBy(e => components[e.Key.Caller]);
        foreach (var cycle in inCycle.Select(g => g.ToList()).OrderBy(g => g[0].Key))
        {
            var members = cycle.SelectMany(e => new[] { e.Key.Caller, e.Key.Callee }).Distinct().Order(StringComparer.Ordinal).ToList();
            yield return new RuleViolation("cycle", string.Join(", ", members),
                $"{string.Join(", ", members)} call each other in a cycle", cycle);
        }
    }

    private static IEnumerable<RuleViolation> FanOut(int max, List<ObservedEdge> edges, Dictionary<string, ObservedNode> nodes)
    {
        foreach (var group in edges.Where(e => nodes.GetValueOrDefault(e.Key.Caller)?.Type != NodeType.User).GroupBy(e => e.Key.Caller, StringComparer.Ordinal))
        {
            var callees = group.Select(e => e.Key.Callee).Distinct(StringComparer.Ordinal).Count();
            if (callees > max)
            {
                yield return new RuleViolation("fan-out", group.Key, $"{group.Key} calls {callees} services, more than {max}", [.. group]);
            }
        }
    }
}
