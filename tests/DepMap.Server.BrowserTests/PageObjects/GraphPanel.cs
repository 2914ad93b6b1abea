using System.Text.Json;
using Microsoft.Playwright;

namespace DepMap.Server.BrowserTests;

/// <summary>A node's drawn box, in the picture's own coordinates (pan and zoom do not change it).</summary>
public sealed record NodeBox(string Name, double X, double Y, double Width, double Height);

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

    public Task ClickNodeAsync(string name) => page.Locator($"{Nodes}[data-name={Quoted(name)}]").ClickAsync();

    public Task ClickEdgeAsync(string source, string target) =>
        page.Locator($"#graph g.edge[data-source={Quoted(source)}][data-target={Quoted(target)}] path").First.ClickAsync(new LocatorClickOptions { Force = true });

    // A CSS attribute value in double quotes: only the quote and the backslash need escaping.
    private static string Quoted(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
