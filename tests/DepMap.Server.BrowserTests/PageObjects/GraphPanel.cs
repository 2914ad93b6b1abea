using System.Text.Json;
using Microsoft.Playwright;

namespace DepMap.Server.BrowserTests;

/// <summary>A node's drawn box, in the picture's own coordinates (pan and zoom do not change it).</summary>
public sealed record NodeBox(string Name, double X, double Y, double Width, double Height);

/// <summary>How an edge is drawn: its classes and its line's computed stroke (CSS wins over Graphviz's attributes).</summary>
public sealed record EdgeStyle(string[] Classes, string Stroke, double StrokeWidth, string DashArray);

/// <summary>The graph: drawn nodes and edges, clicks, positions, search highlights.</summary>
public sealed class GraphPanel(IPage page)
{
    private const string Nodes = "#graph g.node";

    public Task<int> RendersAsync() => page.EvaluateAsync<int>("() => window.depmap?.renders ?? 0");

    /// <summary>
    /// Waits (bounded) until the page has drawn at least <paramref name="renders"/> times and no
    /// read is pending (one change of the view can start several: a field's change fires on blur).
    /// </summary>
    public Task WaitForRendersAsync(int renders) => page.WaitForFunctionAsync(
        "n => window.depmap && window.depmap.renders >= n && !window.depmap.loading && document.getElementById('graph').dataset.state !== 'loading'",
        renders, new PageWaitForFunctionOptions { Timeout = 30_000 });

    public Task<string> StateAsync() => page.GetAttributeAsync("#graph", "data-state")!;

    /// <summary>The text drawn in each node: the names a person reads.</summary>
    public async Task<string[]> NodeTextsAsync() =>
        await page.EvalOnSelectorAllAsync<string[]>(Nodes, "els => els.map(e => [...e.querySelectorAll('text')].map(t => t.textContent).join(''))");

    public async Task<string[]> NodeNamesAsync() =>
        await page.EvalOnSelectorAllAsync<string[]>(Nodes, "els => els.map(e => e.dataset.name)");

    public async Task<string[]> EdgeNamesAsync() =>
        await page.EvalOnSelectorAllAsync<string[]>("#graph g.edge", "els => els.map(e => e.dataset.source + ' -> ' + e.dataset.target)");

    public async Task<string[]> EdgeLabelAsync(string source, string target) =>
        await page.EvaluateAsync<string[]>(
            "([s, t]) => [...document.querySelectorAll('#graph g.edge')].filter(e => e.dataset.source === s && e.dataset.target === t).flatMap(e => [...e.querySelectorAll('text')].map(x => x.textContent))",
            new[] { source, target });

    public async Task<bool> EdgeHighlightedAsync(string source, string target) =>
        await page.EvaluateAsync<bool>(
            "([s, t]) => [...document.querySelectorAll('#graph g.edge.changed')].some(e => e.dataset.source === s && e.dataset.target === t)",
            new[] { source, target });

    public async Task<NodeBox[]> NodeBoxesAsync()
    {
        var json = await page.EvalOnSelectorAllAsync<JsonElement>(Nodes,
            "els => els.map(e => { const b = e.getBBox(); return { name: e.dataset.name, x: b.x, y: b.y, width: b.width, height: b.height }; })");
        return [.. json.EnumerateArray().Select(n => new NodeBox(n.GetProperty("name").GetString()!, n.GetProperty("x").GetDouble(),
            n.GetProperty("y").GetDouble(), n.GetProperty("width").GetDouble(), n.GetProperty("height").GetDouble()))];
    }

    /// <summary>Whether the last drawing laid the graph out anew (false: the previous layout was kept).</summary>
    public Task<bool> LastRenderRelaidAsync() => page.EvaluateAsync<bool>("() => window.depmap.lastRender.relaid");

    public async Task<string[]> MatchesAsync() =>
        await page.EvalOnSelectorAllAsync<string[]>("#graph g.node.match", "els => els.map(e => e.dataset.name)");

    /// <summary>Each drawn edge from <paramref name="source"/> to <paramref name="target"/> (none when it is not drawn).</summary>
    public async Task<EdgeStyle[]> EdgeStylesAsync(string source, string target)
    {
        var json = await page.EvaluateAsync<JsonElement>(
            """
            ([s, t]) => [...document.querySelectorAll('#graph g.edge')].filter(e => e.dataset.source === s && e.dataset.target === t).map(e => {
              const style = getComputedStyle(e.querySelector('path'));
              return { classes: [...e.classList], stroke: style.stroke, width: parseFloat(style.strokeWidth), dash: style.strokeDasharray };
            })
            """,
            new[] { source, target });
        return [.. json.EnumerateArray().Select(e => new EdgeStyle(
            [.. e.GetProperty("classes").EnumerateArray().Select(c => c.GetString()!)], e.GetProperty("stroke").GetString()!,
            e.GetProperty("width").GetDouble(), e.GetProperty("dash").GetString()!))];
    }

    public async Task<string[]> NodeClassesAsync(string name) =>
        await page.EvaluateAsync<string[]>(
            "n => [...(([...document.querySelectorAll('#graph g.node')].find(e => e.dataset.name === n))?.classList ?? [])]", name);

    public Task ClickNodeAsync(string name) => page.Locator($"{Nodes}[data-name={Quoted(name)}]").ClickAsync();

    public Task ClickEdgeAsync(string source, string target) =>
        page.Locator($"#graph g.edge[data-source={Quoted(source)}][data-target={Quoted(target)}] path").First.ClickAsync(new LocatorClickOptions { Force = true });

    /// <summary>Clicks the edge's label: the middle of a curved edge's box can miss its line.</summary>
    public Task ClickEdgeLabelAsync(string source, string target) =>
        page.Locator($"#graph g.edge[data-source={Quoted(source)}][data-target={Quoted(target)}] text").First.ClickAsync();

    // A CSS attribute value in double quotes: only the quote and the backslash need escaping.
    private static string Quoted(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
