// The page's figures on a seeded synthetic topology (docs/benchmarks.md):
//   dotnet run -c Release --project tests/DepMap.PageBenchmark -- [--baseline DIR] [services...]   (default: 30 500 2000)
// --baseline DIR: another version of the page (a wwwroot folder, e.g. main's from
//   `git archive main src/DepMap.Server/wwwroot | tar -x -C /tmp/base`), served by the same server at
//   /baseline/ and measured in turn with this one, run by run, so both see the same data and load.
// For each size: a real DepMap on 127.0.0.1 with the topology ingested over OTLP/HTTP and aggregated,
// then Debian's Chromium (headless, through Playwright) opens the page. It reports the time from
// navigation to the first drawn graph, the focus and search response, and a live refresh whose
// topology is unchanged (whether the layout was re-used and every node kept its place). The
// 30-service run is the baseline measured in the same run.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DepMap.Server.BrowserTests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Playwright;

namespace DepMap.PageBenchmark;

// Not Program: the server's own Program is the one WebApplicationFactory<Program> starts.
internal static class PageBench
{
    private const int Runs = 5;

    public static async Task Main(string[] args)
    {
        if (args is ["screenshot", var url, var output])
        {
            await ScreenshotAsync(url, output);
            return;
        }

        // WebApplicationFactory finds a test project's content root from its manifest; a command says where.
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "DepMap.sln")))
        {
            root = root.Parent;
        }
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_DEPMAP_SERVER", Path.Combine(root!.FullName, "src", "DepMap.Server"));
        string? baseline = null;
        if (args is ["--baseline", var folder, ..])
        {
            baseline = Path.GetFullPath(folder);
            args = args[2..];
            if (!File.Exists(Path.Combine(baseline, "index.html")))
            {
                throw new ArgumentException($"--baseline {baseline}: no index.html there");
            }
        }
        var sizes = args.Length > 0 ? args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [30, 500, 2000];
        // The page's own API paths are absolute and its files relative, so a copy under /baseline/ works as it is.
        List<(string Name, string Path)> pages = baseline is null ? [("page", "/")] : [("baseline", "/baseline/index.html"), ("page", "/")];
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores; load average {File.ReadAllText("/proc/loadavg").Trim()}");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });

        foreach (var size in sizes)
        {
            await using var server = new PageServer(baseline is null ? null : host => host.ConfigureServices(services =>
                services.AddSingleton<IStartupFilter>(new BaselineFiles(baseline))));
            using var http = server.Http();
            var topology = Topology(size, seed: 42);
            var seeding = Stopwatch.StartNew();
            await Traffic.SendManyAsync(http, topology.Calls);
            Console.WriteLine($"\n{size} services, {topology.Calls.Count} edges (seed 42), ingested and aggregated in {seeding.Elapsed.TotalSeconds:0.0} s");

            // Run by run in turn, so a change of load hits both pages alike.
            var firstDraw = pages.ToDictionary(p => p.Name, _ => new List<double>());
            var marks = pages.ToDictionary(p => p.Name, _ => new List<Dictionary<string, double>>());
            var state = "";
            for (var run = 0; run < Runs; run++)
            {
                foreach (var (name, path) in pages)
                {
                    var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
                    await page.GotoAsync(new Uri(server.Address, path + "?lookback=1h").ToString());
                    await page.WaitForFunctionAsync("() => window.depmap && window.depmap.renders >= 1", null, new() { Timeout = 120_000 });
                    firstDraw[name].Add(await page.EvaluateAsync<double>("() => window.depmap.lastRender.at"));
                    marks[name].Add(await page.EvaluateAsync<Dictionary<string, double>>(
                        "() => Object.fromEntries(performance.getEntriesByType('mark').filter(m => m.name.startsWith('depmap:')).map(m => [m.name.slice(7), m.startTime]))"));
                    state = (await page.GetAttributeAsync("#graph", "data-state"))!;
                    await page.CloseAsync();
                }
            }
            foreach (var (name, _) in pages)
            {
                Console.WriteLine($"  {name}: first drawn graph ({state}): {Summary(firstDraw[name])} ms from navigation");
                // Where the first draw's time went, where the page marks it (performance.mark("depmap:…")).
                var steps = marks[name].SelectMany(m => m.Keys).Distinct().Select(k => (Name: k, Values: marks[name].Where(m => m.ContainsKey(k)).Select(m => m[k]).ToList()))
                    .OrderBy(s => s.Values.Order().ElementAt(s.Values.Count / 2)).Select(s => $"{s.Name} {s.Values.Order().ElementAt(s.Values.Count / 2):0}");
                if (steps.Any())
                {
                    Console.WriteLine($"    medians: {string.Join(", ", steps)} ms");
                }
            }

            IPage? view = null;
            foreach (var (name, path) in pages)
            {
                // One page open at a time: an open page redraws on every aggregation event.
                if (view is not null)
                {
                    await view.CloseAsync();
                }
                view = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
                await view.GotoAsync(new Uri(server.Address, path + "?lookback=1h").ToString());
                await view.WaitForFunctionAsync("() => window.depmap && window.depmap.renders >= 1", null, new() { Timeout = 120_000 });
                if (state == "too-large")
                {
                    Console.WriteLine($"  {name}: notice: {await view.InnerTextAsync("#graph-notice")}");
                    try
                    {
                        var grouped = await ChangeAsync(view, "() => { const g = document.getElementById('group'); g.checked = true; g.dispatchEvent(new Event('change')); }");
                        Console.WriteLine($"  {name}: group by namespace: drawn in {grouped:0} ms ({await EngineAsync(view)}), {await view.EvaluateAsync<int>("() => document.querySelectorAll('#graph g.node').length")} nodes");
                        var focused = await ChangeAsync(view, $"() => {{ const g = document.getElementById('group'); g.checked = false; g.dispatchEvent(new Event('change')); const f = document.getElementById('focus'); f.value = '{topology.Busiest}'; f.dispatchEvent(new Event('change')); }}");
                        Console.WriteLine($"  {name}: focus on {topology.Busiest} (ungrouped): drawn in {focused:0} ms, {await view.EvaluateAsync<int>("() => document.querySelectorAll('#graph g.node').length")} nodes");
                    }
                    catch (TimeoutException)
                    {
                        Console.WriteLine($"  {name}: not drawn within 120 s; status '{await view.InnerTextAsync("#status")}'");
                    }
                    continue;
                }
                await InteractAsync(view, name, size);
            }
            if (state == "too-large")
            {
                continue;
            }

            var open = view!;
            var before = await Boxes(open);
            var renders = await open.EvaluateAsync<int>("() => window.depmap.renders");
            var refresh = Stopwatch.StartNew();
            var flushed = await Traffic.SendManyAsync(http, [.. topology.Calls.Select(c => c with { Start = c.Start.AddSeconds(30), Failing = 1 })]);
            using (var events = await http.GetStreamAsync("/events"))
            using (var reader = new StreamReader(events))
            {
                Console.WriteLine($"  more traffic on the same edges: {flushed}; /events says {await reader.ReadLineAsync()} {await reader.ReadLineAsync()}");
            }
            try
            {
                await open.WaitForFunctionAsync("n => window.depmap.renders > n && document.getElementById('graph').dataset.state === 'drawn'", renders, new() { Timeout = 60_000 });
            }
            catch (TimeoutException)
            {
                Console.WriteLine($"  live refresh: no redraw within 60 s; status '{await open.InnerTextAsync("#status")}', {await open.EvaluateAsync<string>("() => JSON.stringify(window.depmap)")}");
                continue;
            }
            var relaid = await open.EvaluateAsync<bool>("() => window.depmap.lastRender.relaid");
            var drawMs = await open.EvaluateAsync<double>("() => window.depmap.lastRender.ms");
            var unchanged = before == await Boxes(open);
            Console.WriteLine($"  {pages[^1].Name}: live refresh, same topology: re-laid out {relaid}, every node in place {unchanged}, redrawn in {drawMs:0.0} ms (ingest + aggregation + event + read + redraw {refresh.Elapsed.TotalMilliseconds:0} ms)");
        }
    }

    /// <summary>scripts/screenshot.sh: the page at <paramref name="url"/> once it has drawn its graph, as a PNG.</summary>
    private static async Task ScreenshotAsync(string url, string output)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
        await page.GotoAsync(url);
        await page.WaitForFunctionAsync("() => window.depmap && window.depmap.renders >= 1 && !window.depmap.loading", null, new() { Timeout = 120_000 });
        // The ranking and the snapshot list fill beside the graph from their own requests.
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle, new() { Timeout = 10_000 }).ContinueWith(_ => { }, TaskScheduler.Default);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = output });
        Console.WriteLine($"wrote {output}");
    }

    /// <summary>Search, focus and back to the whole graph on an open page.</summary>
    private static async Task InteractAsync(IPage view, string name, int size)
    {
        var search = new List<double>();
        for (var run = 0; run < Runs; run++)
        {
            search.Add(await view.EvaluateAsync<double>(
                "async q => { const t = performance.now(); const s = document.getElementById('search'); s.value = q; s.dispatchEvent(new Event('input')); await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0))); return performance.now() - t; }",
                $"svc-{run * 7 % size:0000}"));
        }
        Console.WriteLine($"  {name}: search (highlight and pan, to the next frame): {Summary(search)} ms");
        await view.EvaluateAsync("() => { const s = document.getElementById('search'); s.value = ''; s.dispatchEvent(new Event('input')); }");

        var focus = new List<double>();
        for (var run = 0; run < Runs; run++)
        {
            focus.Add(await ChangeAsync(view, $"() => {{ const f = document.getElementById('focus'); f.value = 'svc-{(run * 37 + 11) % size:0000}'; f.dispatchEvent(new Event('change')); }}"));
        }
        Console.WriteLine($"  {name}: focus (depth 1: fetch /graph.json, lay out, draw): {Summary(focus)} ms");
        var whole = await ChangeAsync(view, "() => { const f = document.getElementById('focus'); f.value = ''; f.dispatchEvent(new Event('change')); }");
        Console.WriteLine($"  {name}: back to the whole graph (a new layout): {whole:0} ms");
    }

    /// <summary>The Graphviz engine of the last layout, where the page says (the baseline's may not).</summary>
    private static async Task<string> EngineAsync(IPage page) =>
        await page.EvaluateAsync<string?>("() => window.depmap.lastRender.engine ?? null") ?? "dot";

    private static async Task<double> ChangeAsync(IPage page, string change)
    {
        var renders = await page.EvaluateAsync<int>("() => window.depmap.renders");
        var start = await page.EvaluateAsync<double>($"() => {{ const t = performance.now(); ({change})(); return t; }}");
        await page.WaitForFunctionAsync("n => window.depmap.renders > n && document.getElementById('graph').dataset.state !== 'loading'", renders, new() { Timeout = 120_000 });
        return await page.EvaluateAsync<double>("() => window.depmap.lastRender.at") - start;
    }

    private static async Task<string> Boxes(IPage page) => JsonSerializer.Serialize(await page.EvalOnSelectorAllAsync<JsonElement>("#graph g.node",
        "els => els.map(e => { const b = e.getBBox(); return [e.dataset.name, b.x, b.y]; })"));

    private static string Summary(List<double> values)
    {
        var sorted = values.Order().ToList();
        return $"median {sorted[sorted.Count / 2]:0}, min {sorted[0]:0}, max {sorted[^1]:0} (of {sorted.Count})";
    }

    // Services svc-0000… in namespaces of 20; each service after the first is called by one or two
    // earlier ones (a layered system, as real ones mostly are), two calls per edge, one in ten edges failing once.
    private static (List<Calls> Calls, string Busiest) Topology(int services, int seed)
    {
        var random = new Random(seed);
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        var calls = new List<Calls>();
        var outDegree = new int[services];
        string Name(int i) => $"svc-{i:0000}";
        string Namespace(int i) => $"ns-{i / 20:000}";
        for (var i = 1; i < services; i++)
        {
            var callers = new HashSet<int> { random.Next(i) };
            if (random.Next(2) == 0)
            {
                callers.Add(random.Next(i));
            }
            foreach (var caller in callers)
            {
                outDegree[caller]++;
                calls.Add(new Calls(Name(caller), Name(i), 2, start.AddMilliseconds(calls.Count), Failing: random.Next(10) == 0 ? 1 : 0,
                    DurationMs: 5 + random.Next(50), CallerNamespace: Namespace(caller), CalleeNamespace: Namespace(i)));
            }
        }
        var busiest = Array.IndexOf(outDegree, outDegree.Max());
        return (calls, Name(busiest));
    }
}

/// <summary>The baseline's page under /baseline/, ahead of the server's own pipeline.</summary>
internal sealed class BaselineFiles(string folder) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(folder),
            RequestPath = "/baseline",
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        });
        next(app);
    };
}
