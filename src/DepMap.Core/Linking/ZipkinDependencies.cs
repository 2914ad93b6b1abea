namespace DepMap.Core.Linking;

/// <summary>Zipkin's dependency links (<c>/api/v2/dependencies</c>) from the Zipkin view's calls.</summary>
public static class ZipkinDependencies
{
    /// <summary>
    /// Counts Zipkin-view calls per (parent, child), as Zipkin's <c>DependencyLinker.link()</c> does,
    /// sorted by parent then child so the output does not depend on span order.
    /// </summary>
    public static IReadOnlyList<DependencyLink> Aggregate(IEnumerable<Call> calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        var counts = new Dictionary<(string Parent, string Child), (long Calls, long Errors)>();
        foreach (var call in calls)
        {
            var key = (call.Caller, call.Callee);
            counts.TryGetValue(key, out var count);
            counts[key] = (count.Calls + 1, count.Errors + (call.Failed ? 1 : 0));
        }
        return FromCounts(counts);
    }

    /// <summary>The links of <paramref name="counts"/> (calls and errors per parent and child), sorted by parent then child.</summary>
    public static IReadOnlyList<DependencyLink> FromCounts(IReadOnlyDictionary<(string Parent, string Child), (long Calls, long Errors)> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var links = new List<DependencyLink>(counts.Count);
        foreach (var ((parent, child), (callCount, errorCount)) in counts)
        {
            links.Add(new DependencyLink(parent, child, callCount, errorCount));
        }
        links.Sort(static (a, b) =>
        {
            var byParent = string.CompareOrdinal(a.Parent, b.Parent);
            return byParent != 0 ? byParent : string.CompareOrdinal(a.Child, b.Child);
        });
        return links;
    }

    /// <summary>
    /// Sums links with the same parent and child, keeping the order in which each pair first
    /// appears, as Zipkin's <c>DependencyLinker.merge</c> does.
    /// </summary>
    public static IReadOnlyList<DependencyLink> Merge(IEnumerable<DependencyLink> links)
    {
        ArgumentNullException.ThrowIfNull(links);
        var index = new Dictionary<(string Parent, string Child), int>();
        var merged = new List<DependencyLink>();
        foreach (var link in links)
        {
            var key = (link.Parent, link.Child);
            if (index.TryGetValue(key, out var at))
            {
                var sum = merged[at];
                merged[at] = sum with { CallCount = sum.CallCount + link.CallCount, ErrorCount = sum.ErrorCount + link.ErrorCount };
            }
            else
            {
                index.Add(key, merged.Count);
                merged.Add(link);
            }
        }
        return merged;
    }
}
