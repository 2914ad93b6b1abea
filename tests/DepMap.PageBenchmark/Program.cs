// The page's figures on a seeded synthetic topology (docs/benchmarks.md):
//   dotnet run -c Release --project tests/DepMap.PageBenchmark -- [services...]   (default: 30 500 2000)
// For each size: a real DepMap on 127.0.0.1 with the topology ingested over OTLP/HTTP and aggregated,
// then Debian's Chromium (headless, through Playwright) opens the page. It reports the time from
// navigation to the first drawn graph, the focus and search response, and a live refresh whose
// topology is unchanged (whether the layout was re-used and every node kept its place). The
// 30-service run is the baseline measured in the same run.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DepMap.Server.BrowserTests;
using Microsoft.Playwright;

namespace DepMap.PageBenchmark;

// Not Program: the server's own Program is the one WebApplicationFactory<Program> starts.
internal static class PageBench
{
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
        var sizes = args.Length > 0 ? args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [30, 500, 2000];
        const int Runs = 5;
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
            await using var server = new PageServer();
            using var http = server.Http();
            var topology = Topology(size, seed: 42);
            var seeding = Stopwatch.StartNew();
            await Traffic.SendManyAsync(http, topology.Calls);
            Console.WriteLine($"\n{size} services, {topology.Calls.Count} edges (seed 42), ingested and aggregated in {seeding.Elapsed.TotalSeconds:0.0} s");

            var firstDraw = new List<double>();
            string state = "";
            for (var run = 0; run < Runs; run++)
            {
                var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
                await page.GotoAsync(new Uri(server.Address, "/?lookback=1h").ToString());
                await page.WaitForFunctionAsync("() => window.depmap && window.depmap.renders >= 1", null, new() { Timeout = 120_000 });
                firstDraw.Add(await page.EvaluateAsync<double>("() => window.depmap.lastRender.at"));
                state = (await page.GetAttributeAsync("#graph", "data-state"))!;
                await page.CloseAsync();
            }
            Console.WriteLine($"  first drawn graph ({state}): {Summary(firstDraw)} ms from navigation");

            var view = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
            await view.GotoAsync(new Uri(server.Address, "/?lookback=1h").ToString());
            await view.WaitForFunctionAsync("() => window.depmap && window.depmap.renders >= 1", null, new() { Timeout = 120_000 });
            if (state == "too-large")
            {
                Console.WriteLine($"  notice: {await view.InnerTextAsync("#graph-notice")}");
                var grouped = await ChangeAsync(view, "() => { const g = document.getElementById('group'); g.checked = true; g.dispatchEvent(new Event('change')); }");
                Console.WriteLine($"  group by namespace: drawn in {grouped:0} ms, {await view.EvaluateAsync<int>("() => document.querySelectorAll('#graph g.node').length")} nodes");
                var focused = await ChangeAsync(view, $"() => {{ const g = document.getElementById('group'); g.checked = false; g.dispatchEvent(new Event('change')); const f = document.getElementById('focus'); f.value = '{topology.Busiest}'; f.dispatchEvent(new Event('change')); }}");
                Console.WriteLine($"  focus on {topology.Busiest} (ungrouped): drawn in {focused:0} ms, {await view.EvaluateAsync<int>("() => document.querySelectorAll('#graph g.node').length")} nodes");
                continue;
            }

            var search = new List<double>();
            for (var run = 0; run < Runs; run++)
            {
                search.Add(await view.EvaluateAsync<double>(
                    "async q => { const t = performance.now(); const s = document.getElementById('search'); s.value = q; s.dispatchEvent(new Event('input')); await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0))); return performance.now() - t; }",
                    $"svc-{run * 7 % size:0000}"));
            }
            Console.WriteLine($"  search (highlight and pan, to the next frame): {Summary(search)} ms");
            await view.EvaluateAsync("() => { const s = document.getElementById('search'); s.value = ''; s.dispatchEvent(new Event('input')); }");

            var focus = new List<double>();
            for (var run = 0; run < Runs; run++)
            {
                focus.Add(await ChangeAsync(view, $"() => {{ const f = document.getElementById('focus'); f.value = 'svc-{(run * 37 + 11) % size:0000}'; f.dispatchEvent(new Event('change')); }}"));
            }
            Console.WriteLine($"  focus (depth 1: fetch /graph.json, lay out, draw): {Summary(focus)} ms");
            var whole = await ChangeAsync(view, "() => { const f = document.getElementById('focus'); f.value = ''; f.dispatchEvent(new Event('change')); }");
            Console.WriteLine($"  back to the whole graph (a new layout): {whole:0} ms");

            var before = await Boxes(view);
            var renders = await view.EvaluateAsync<int>("() => window.depmap.renders");
            var refresh = Stopwatch.StartNew();
            var flushed = await Traffic.SendManyAsync(http, [.. topology.Calls.Select(c => c with { Start = c.Start.AddSeconds(30), Failing = 1 })]);
            using (var events = await http.GetStreamAsync("/events"))
            using (var reader = new StreamReader(events))
            {
                Console.WriteLine($"  more traffic on the same edges: {flushed}; /events says {await reader.ReadLineAsync()} {await reader.ReadLineAsync()}");
            }
            try
            {
                await view.WaitForFunctionAsync("n => window.depmap.renders > n && document.getElementById('graph').dataset.state === 'drawn'", renders, new() { Timeout = 60_000 });
            }
            catch (TimeoutException)
            {
                Console.WriteLine($"  live refresh: no redraw within 60 s; status '{await view.InnerTextAsync("#status")}', {await view.EvaluateAsync<string>("() => JSON.stringify(window.depmap)")}");
                continue;
            }
            var relaid = await view.EvaluateAsync<bool>("() => window.depmap.lastRender.relaid");
            var drawMs = await view.EvaluateAsync<double>("() => window.depmap.lastRender.ms");
            var unchanged = before == await Boxes(view);
            Console.WriteLine($"  live refresh, same topology: re-laid out {relaid}, every node in place {unchanged}, redrawn in {drawMs:0.0} ms (ingest + aggregation + event + read + redraw {refresh.Elapsed.TotalMilliseconds:0} ms)");
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
