using System.Text.Json;
using System.Xml;
using System.Xml.Linq;

namespace DepMap.Cli.Tests;

public class GraphCommandTests
{
    public static readonly TheoryData<string> ExampleFiles = new()
    {
        "logistics-tracking.otlp.json",
        "logistics-tracking.zipkin.json",
        "logistics-tracking.jaeger.json",
    };

    private static JsonElement Edge(JsonDocument graph, string source, string target) =>
        graph.RootElement.GetProperty("edges").EnumerateArray()
            .Single(e => e.GetProperty("source").GetString() == source && e.GetProperty("target").GetString() == target);

    private static double P99(JsonElement edge, string side) => edge.GetProperty(side).GetProperty("p99").GetDouble();

    private static IEnumerable<string> NodeNames(string json)
    {
        using var graph = JsonDocument.Parse(json);
        return graph.RootElement.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("name").GetString()!).Order().ToList();
    }

    // The docs example: logistics serves GET /shipment/:id in 100 ms, spends 30 ms on its database,
    // calls tracking for 50 ms (46 ms on tracking's side), and tracking queries its database for 20 ms.
    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public async Task Graph_DrawsTheExampleEdgesWithTheirLatencies_WhenReadingEachFormat(string file)
    {
        var result = await Cli.RunAsync("graph", Cli.Example(file), "--format", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        using var graph = JsonDocument.Parse(result.Stdout);
        var edges = graph.RootElement.GetProperty("edges").EnumerateArray()
            .Select(e => $"{e.GetProperty("source").GetString()} -> {e.GetProperty("target").GetString()} ({e.GetProperty("connectionType").GetString()})");
        Assert.Equal(
            ["logistics -> logistics-db (database)", "logistics -> tracking ()", "tracking -> tracking-db (database)", "user -> logistics (virtual_node)"],
            edges);
        // The latency sketch is within 1% of the exact value.
        var tracking = Edge(graph, "logistics", "tracking");
        Assert.Equal(50, P99(tracking, "clientLatency"), 50 * 0.01);
        Assert.Equal(46, P99(tracking, "serverLatency"), 46 * 0.01);
        Assert.Equal(30, P99(Edge(graph, "logistics", "logistics-db"), "clientLatency"), 30 * 0.01);
        Assert.Equal(20, P99(Edge(graph, "tracking", "tracking-db"), "clientLatency"), 20 * 0.01);
        Assert.Equal(100, P99(Edge(graph, "user", "logistics"), "serverLatency"), 100 * 0.01);
        var types = graph.RootElement.GetProperty("nodes").EnumerateArray()
            .ToDictionary(n => n.GetProperty("name").GetString()!, n => n.GetProperty("type").GetString());
        Assert.Equal("database", types["logistics-db"]);
        Assert.Equal("service", types["tracking"]);
    }

    [Fact]
    public async Task Graph_ReadsOtlpProtobuf_FromTheOpenTelemetrySdkExporter()
    {
        // Only logistics exported in this batch, so tracking is drawn as the peer logistics named.
        var result = await Cli.RunAsync("graph", Cli.Example("otlp-dotnet-sdk-logistics.pb"), "-f", "json");

        Assert.Equal(0, result.ExitCode);
        using var graph = JsonDocument.Parse(result.Stdout);
        Assert.Equal(2, Edge(graph, "logistics", "tracking").GetProperty("callCount").GetInt64());
        Assert.Equal(30, P99(Edge(graph, "logistics", "logistics-db"), "clientLatency"), 30 * 0.02);
    }

    [Fact]
    public async Task Graph_WritesDotThatGraphvizParses_ByDefault()
    {
        var result = await Cli.RunAsync("graph", Cli.Example("logistics-tracking.otlp.json"));

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("digraph depmap {", result.Stdout, StringComparison.Ordinal);
        var dot = await Graphviz.DotAsync(result.Stdout, "canon");
        Assert.True(dot.ExitCode == 0, dot.Stderr);
        Assert.Contains("logistics-db", dot.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public async Task Graph_WritesTheCommittedExampleDot_WhenReadingEachFormat(string file)
    {
        // graphs/examples/logistics-tracking.dot was written by this command: it must still be what it writes.
        var result = await Cli.RunAsync("graph", Cli.Example(file), "--format", "dot");

        Assert.Equal(await File.ReadAllTextAsync(Cli.Graph("logistics-tracking.dot")), result.Stdout);
    }

    [Fact]
    public async Task Graph_DrawsSvgNamingEveryService_WhenOutputEndsInSvg()
    {
        using var folder = new TempFolder();
        var svg = folder.File("graph.svg");

        var result = await Cli.RunAsync("graph", Cli.Example("logistics-tracking.zipkin.json"), "-o", svg);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("", result.Stdout);
        // Graphviz's SVG has a DOCTYPE and writes '-' as &#45;: read it as XML, not as text.
        using var reader = XmlReader.Create(svg, new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        var document = XDocument.Load(reader);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", document.Root!.Name);
        var texts = document.Descendants(ns + "text").Select(t => t.Value).ToHashSet();
        Assert.Superset(new HashSet<string> { "logistics", "logistics-db", "tracking", "tracking-db", "user", "p99 50 ms" }, texts);
    }

    [Fact]
    public async Task Graph_ExitsWithTheInstallHint_WhenGraphvizIsMissing()
    {
        var result = await Cli.RunAsync("graph", Cli.Example("logistics-tracking.otlp.json"), "-f", "svg", "--dot-path", "/nonexistent/graphviz/dot");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains("apt-get install graphviz", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Graph_ExitsWithFour_WhenTheOutputCannotBeWritten()
    {
        using var folder = new TempFolder();
        var output = Path.Combine(folder.Path, "no-such-folder", "graph.dot");

        var result = await Cli.RunAsync("graph", Cli.Example("logistics-tracking.otlp.json"), "-o", output);

        Assert.Equal(4, result.ExitCode);
        Assert.Contains($"{output}: cannot write:", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Graph_WritesAMermaidFlowchart_WhenAskedForMermaid()
    {
        var result = await Cli.RunAsync("graph", Cli.Example("logistics-tracking.jaeger.json"), "-f", "mermaid");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("flowchart LR\n", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("[(\"tracking-db\")]", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(4, result.Stdout.Split('\n').Count(line => line.Contains("-->", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Graph_WritesZipkinsLinkArray_WhenAskedForZipkin()
    {
        var result = await Cli.RunAsync("graph", Cli.Example("logistics-tracking.zipkin.json"), "-f", "zipkin");

        Assert.Equal(0, result.ExitCode);
        // Zipkin links only instrumented RPCs and names no entry node: the databases and user are not in it.
        Assert.Equal("[{\"parent\":\"logistics\",\"child\":\"tracking\",\"callCount\":1}]\n", result.Stdout);
    }

    [Fact]
    public async Task Graph_LinksTheSpansOfEveryFile_WhenGivenSeveralFormats()
    {
        using var folder = new TempFolder();
        var zipkin = await File.ReadAllTextAsync(Cli.Example("logistics-tracking.zipkin.json"));
        var secondTrace = folder.Write("second.json", zipkin.Replace("4bf92f3577b34da6a3ce929d0e0e4736", "00000000000000000000000000000abc", StringComparison.Ordinal));

        var result = await Cli.RunAsync("graph", Cli.Example("logistics-tracking.otlp.json"), secondTrace, "-f", "json");

        Assert.Equal(0, result.ExitCode);
        using var graph = JsonDocument.Parse(result.Stdout);
        Assert.Equal(2, Edge(graph, "logistics", "tracking").GetProperty("callCount").GetInt64());
    }

    [Fact]
    public async Task Graph_NamesTheFileAndTheProblem_WhenAFileIsMalformed()
    {
        using var folder = new TempFolder();
        var bad = folder.Write("bad.json", "[{\"traceId\":\"zz\",\"id\":\"1\"}]");

        var result = await Cli.RunAsync("graph", Cli.Example("logistics-tracking.otlp.json"), bad);

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains($"{bad}: malformed Zipkin v2 JSON: [0].traceId: expected 16 or 32 hex digits, got \"zz\"", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("logistics-tracking.otlp.json", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Graph_NamesTheFile_WhenItCannotBeReadOrIsNoTraceFile()
    {
        using var folder = new TempFolder();
        var missing = folder.File("missing.json");
        var text = folder.Write("notes.txt", "not a trace");

        var result = await Cli.RunAsync("graph", missing, text);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"{missing}: cannot read:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"{text}: not a trace file", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Graph_UsesTheGoodFilesButStillFails_WhenKeepGoing()
    {
        using var folder = new TempFolder();
        var bad = folder.Write("truncated.json", "[{\"traceId\":\"ab\",\"id\":");

        var result = await Cli.RunAsync("graph", bad, Cli.Example("logistics-tracking.otlp.json"), "--keep-going", "-f", "json");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"{bad}: malformed Zipkin v2 JSON", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(["logistics", "logistics-db", "tracking", "tracking-db", "user"], NodeNames(result.Stdout));
    }

    [Theory]
    [InlineData("upstream", "1", new[] { "invoices", "ledger", "payments" })]
    [InlineData("upstream", "2", new[] { "billing", "invoices", "ledger", "orders", "payments" })]
    [InlineData("downstream", "1", new[] { "audit", "ledger", "ledger-db" })]
    [InlineData("both", "1", new[] { "audit", "invoices", "ledger", "ledger-db", "payments" })]
    public async Task Graph_DrawsOnlyTheNeighbourhood_WhenFocused(string direction, string depth, string[] expected)
    {
        // In the 30-service system invoices and payments call ledger, which calls audit and its database.
        var result = await Cli.RunAsync(
            "graph", Cli.Example(ThirtyServiceExample.FileName), "--focus", "ledger", "--depth", depth, "--direction", direction, "-f", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(expected, NodeNames(result.Stdout));
    }

    [Fact]
    public async Task Graph_ListsTheServices_WhenTheFocusIsUnknown()
    {
        var result = await Cli.RunAsync("graph", Cli.Example("logistics-tracking.otlp.json"), "--focus", "shipping");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no service named 'shipping'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("logistics, logistics-db, tracking", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Graph_HidesQuietEdges_WhenGivenMinCalls()
    {
        var all = await Cli.RunAsync("graph", Cli.Example(ThirtyServiceExample.FileName), "-f", "json");
        var busy = await Cli.RunAsync("graph", Cli.Example(ThirtyServiceExample.FileName), "-f", "json", "--min-calls", "40");

        using var allGraph = JsonDocument.Parse(all.Stdout);
        using var busyGraph = JsonDocument.Parse(busy.Stdout);
        var allCounts = allGraph.RootElement.GetProperty("edges").EnumerateArray().Select(e => e.GetProperty("callCount").GetInt64()).ToList();
        var busyCounts = busyGraph.RootElement.GetProperty("edges").EnumerateArray().Select(e => e.GetProperty("callCount").GetInt64()).ToList();
        Assert.Contains(allCounts, count => count < 40);
        Assert.All(busyCounts, count => Assert.True(count >= 40));
        Assert.Equal(allCounts.Count(count => count >= 40), busyCounts.Count);
    }

    [Fact]
    public async Task Graph_ColoursNodesByTheErrorsTheyOriginate_InTheThirtyServiceExample()
    {
        var result = await Cli.RunAsync("graph", Cli.Example(ThirtyServiceExample.FileName), "-f", "json");

        using var graph = JsonDocument.Parse(result.Stdout);
        var health = graph.RootElement.GetProperty("nodes").EnumerateArray()
            .ToDictionary(n => n.GetProperty("name").GetString()!, n => n.GetProperty("health").GetString());
        Assert.Equal("failing", health["ledger"]);
        // gateway sees ledger's failures but passes them on: it is not the one to blame.
        Assert.Equal("healthy", health["gateway"]);
        Assert.Null(health["ledger-db"]);
    }
}
