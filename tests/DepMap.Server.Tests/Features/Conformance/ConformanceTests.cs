using System.Net;
using System.Text;
using System.Text.Json;
using DepMap.Server.Tests.Aggregation;

namespace DepMap.Server.Tests.Features.Conformance;

/// <summary>
/// The committed example models of the 30-service shop (docs/examples/conformance) against its
/// traces (docs/examples/thirty-services.zipkin.json), ingested over HTTP and aggregated: each
/// model's deliberate drifts, and nothing else, are found.
/// </summary>
public sealed class ConformanceTests : IDisposable
{
    // The example's traces run from 00:00:01 to 00:08:20 on this day.
    private const string Window = "from=2026-01-01T00:00:00Z&to=2026-01-01T01:00:00Z";

    private readonly AggregationFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private static string Example(string name) => Path.Combine(AppContext.BaseDirectory, "Examples", name);

    [Fact]
    public async Task Conformance_FindsExactlyTheTwoDrifts_WhenTheBackstageCatalogIsCheckedAgainstIngestedTraces()
    {
        using var client = await IngestedAsync();
        var id = await UploadAsync(client, "/models", "conformance/thirty-services.catalog.yaml");

        using var report = await ReportAsync(client, $"/conformance.json?model={id}&{Window}");

        var root = report.RootElement;
        Assert.False(root.GetProperty("conforms").GetBoolean());
        Assert.Equal("backstage", root.GetProperty("model").GetProperty("format").GetString());
        var undeclared = Assert.Single(root.GetProperty("undeclaredEdges").EnumerateArray());
        await AssertObservedAsync(client, undeclared, "orders", "notifications");
        var unused = Assert.Single(root.GetProperty("unusedEdges").EnumerateArray());
        Assert.Equal("component:default/search", unused.GetProperty("from").GetString());
        Assert.Equal("component:default/catalog", unused.GetProperty("to").GetString());
        Assert.Contains("the window is 1h, shorter than 1d", root.GetProperty("unusedNote").GetString(), StringComparison.Ordinal);
        Assert.Empty(root.GetProperty("unmappedEntities").EnumerateArray());
        Assert.Empty(root.GetProperty("unknownServices").EnumerateArray());
        Assert.Empty(root.GetProperty("violations").EnumerateArray());
        var ledger = root.GetProperty("mappings").EnumerateArray().Single(m => m.GetProperty("entity").GetString() == "component:default/ledger-service");
        Assert.Equal("alias", ledger.GetProperty("by").GetString());
        Assert.Equal(3600, root.GetProperty("observed").GetProperty("windowSeconds").GetDouble());
    }

    [Fact]
    public async Task Conformance_FindsTheStructurizrDrifts_WhenTheWorkspaceIsCheckedAgainstASnapshot()
    {
        using var client = await IngestedAsync();
        var id = await UploadAsync(client, "/models", "conformance/thirty-services.structurizr.json");
        var taken = await client.PostAsync("/snapshots", new StringContent(
            "{\"from\":\"2026-01-01T00:00:00Z\",\"to\":\"2026-01-01T01:00:00Z\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, taken.StatusCode);
        using var snapshot = JsonDocument.Parse(await taken.Content.ReadAsStringAsync());

        using var report = await ReportAsync(client, $"/conformance.json?model={id}&snapshot={snapshot.RootElement.GetProperty("id").GetInt64()}");

        var root = report.RootElement;
        var undeclared = Assert.Single(root.GetProperty("undeclaredEdges").EnumerateArray());
        Assert.Equal("notifications>sms", $"{undeclared.GetProperty("caller").GetString()}>{undeclared.GetProperty("callee").GetString()}");
        // A snapshot keeps no exemplars: they change with every window.
        Assert.Equal(JsonValueKind.Null, undeclared.GetProperty("exemplarTraceId").ValueKind);
        var unused = Assert.Single(root.GetProperty("unusedEdges").EnumerateArray());
        Assert.Equal("container:Shop/reviews>container:Shop/search", $"{unused.GetProperty("from").GetString()}>{unused.GetProperty("to").GetString()}");
        Assert.Empty(root.GetProperty("unmappedEntities").EnumerateArray());
        Assert.Empty(root.GetProperty("unknownServices").EnumerateArray());
    }

    [Fact]
    public async Task Conformance_ReportsUnmappedUnknownAndEveryRuleViolation_WhenTheCalmModelIsCheckedWithRules()
    {
        using var client = await IngestedAsync();
        await UploadAsync(client, "/models", "conformance/thirty-services.calm.json");
        await UploadAsync(client, "/models/rules", "conformance/shop-rules.yaml");

        using var report = await ReportAsync(client, $"/conformance.json?{Window}");

        var root = report.RootElement;
        Assert.Equal(["notifications>sms"], root.GetProperty("undeclaredEdges").EnumerateArray().Select(e => $"{e.GetProperty("caller").GetString()}>{e.GetProperty("callee").GetString()}"));
        Assert.Empty(root.GetProperty("unusedEdges").EnumerateArray());
        Assert.Equal(["node:legacy-mainframe"], root.GetProperty("unmappedEntities").EnumerateArray().Select(e => e.GetProperty("entity").GetString()));
        Assert.Equal(["sms"], root.GetProperty("unknownServices").EnumerateArray().Select(e => e.GetProperty("service").GetString()));
        var violations = root.GetProperty("violations").EnumerateArray().ToList();
        Assert.Equal(["forbidden-edge:payments -> ledger", "fan-out:gateway", "undeclared-service:sms"],
            violations.Select(v => $"{v.GetProperty("rule").GetString()}:{v.GetProperty("subject").GetString()}"));
        var forbidden = violations[0];
        var edge = Assert.Single(forbidden.GetProperty("edges").EnumerateArray());
        await AssertObservedAsync(client, edge, "payments", "ledger");
        Assert.Equal(edge.GetProperty("calls").GetInt64(), forbidden.GetProperty("calls").GetInt64());
        Assert.True(forbidden.GetProperty("errors").GetInt64() > 0);
        Assert.Equal(edge.GetProperty("exemplarTraceId").GetString(), forbidden.GetProperty("exemplarTraceId").GetString());
        Assert.Equal(6, violations[1].GetProperty("edges").GetArrayLength());
    }

    [Fact]
    public async Task ConformanceSvg_DrawsTheFindingsInConformanceColours_WhenTheCatalogDrifted()
    {
        using var client = await IngestedAsync();
        await UploadAsync(client, "/models", "conformance/thirty-services.catalog.yaml");

        var response = await client.GetAsync($"/conformance.svg?{Window}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType!.MediaType);
        var svg = await response.Content.ReadAsStringAsync();
        Assert.Contains("undeclared", svg, StringComparison.Ordinal);
        Assert.Contains("declared, unused", svg, StringComparison.Ordinal);
        Assert.Contains("#d62728", svg, StringComparison.Ordinal);
        Assert.Contains("stroke-dasharray", svg, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/graph.backstage.yaml")]
    [InlineData("/graph.dsl")]
    public async Task ExportedModel_ConformsWithNoFinding_WhenReimportedAgainstTheSameWindow(string export)
    {
        using var client = await IngestedAsync();
        var exported = await client.GetByteArrayAsync($"{export}?{Window}");
        var posted = await client.PostAsync("/models?name=exported", new ByteArrayContent(exported));
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        using var stored = JsonDocument.Parse(await posted.Content.ReadAsStringAsync());
        // Every node but the entry node, and every edge but the entry edge.
        Assert.Equal(38, stored.RootElement.GetProperty("entities").GetInt32());
        Assert.Equal(51, stored.RootElement.GetProperty("dependencies").GetInt32());

        using var report = await ReportAsync(client, $"/conformance.json?model={stored.RootElement.GetProperty("id").GetInt64()}&{Window}");

        Assert.True(report.RootElement.GetProperty("conforms").GetBoolean(), report.RootElement.ToString());
    }

    [Theory]
    [InlineData("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\nspec:\n  dependsOn:\n    - b\n", "spec.dependsOn[0]: 'b' has no kind")]
    [InlineData("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a: b\n", "not valid YAML at line 4")]
    [InlineData("{\"nodes\":[{\"unique-id\":\"a\"}],\"relationships\":[{\"relationship-type\":{\"connects\":{\"source\":{\"node\":\"a\"},\"destination\":{\"node\":\"x\"}}}}]}", "node 'x' is not in nodes")]
    [InlineData("{\"name\":\"w\"}", "a JSON model is a Structurizr workspace ($.model), a CALM document ($.nodes)")]
    [InlineData("workspace {\n  model {\n    a = softwareSystem \"A\"\n    a -> b\n  }\n}\n", "line 4: no element with identifier 'b'")]
    public async Task PostModel_Answers400NamingTheProblem_WhenTheModelCannotBeRead(string body, string expected)
    {
        using var client = _factory.CreateClient();

        var response = await client.PostAsync("/models?name=broken", new StringContent(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = await response.ProblemDetailAsync();
        Assert.Contains(expected, detail, StringComparison.Ordinal);
        Assert.StartsWith("body: broken: ", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostRules_Answers400NamingTheField_WhenARuleIsMisspelt()
    {
        using var client = _factory.CreateClient();

        var response = await client.PostAsync("/models/rules", new StringContent("maxFanout: 3\n"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("unknown field 'maxFanout'", await response.ProblemDetailAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/conformance.json", HttpStatusCode.NotFound, "no model: upload one with POST /models")]
    [InlineData("/conformance.json?model=99", HttpStatusCode.NotFound, "model 99 does not exist")]
    [InlineData("/conformance.json?snapshot=x", HttpStatusCode.BadRequest, "snapshot:")]
    [InlineData("/conformance.pdf", HttpStatusCode.NotFound, "conformance is .json or .svg")]
    [InlineData("/graph.dsl?lookback=1y", HttpStatusCode.BadRequest, "lookback:")]
    public async Task Conformance_AnswersAProblemNamingTheParameter_WhenTheRequestCannotBeServed(string path, HttpStatusCode status, string expected)
    {
        using var client = _factory.CreateClient();

        var response = await client.GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(expected, await response.ProblemDetailAsync(), StringComparison.Ordinal);
    }

    private async Task<HttpClient> IngestedAsync()
    {
        _factory.Clock.SetUtcNow(new DateTimeOffset(2026, 1, 1, 0, 30, 0, TimeSpan.Zero));
        var client = _factory.CreateClient();
        var response = await client.PostAsync("/api/v2/spans", File.ReadAllBytes(Example("thirty-services.zipkin.json")), "application/json");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        await _factory.AggregateAsync();
        return client;
    }

    private static async Task<long> UploadAsync(HttpClient client, string path, string example)
    {
        var response = await client.PostAsync($"{path}?name={Uri.EscapeDataString(example)}", new ByteArrayContent(File.ReadAllBytes(Example(example))));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        using var stored = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return stored.RootElement.GetProperty("id").GetInt64();
    }

    private static async Task<JsonDocument> ReportAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body);
    }

    // The finding's evidence is the graph's own edge: the same calls, errors and exemplar trace.
    private static async Task AssertObservedAsync(HttpClient client, JsonElement finding, string caller, string callee)
    {
        Assert.Equal(caller, finding.GetProperty("caller").GetString());
        Assert.Equal(callee, finding.GetProperty("callee").GetString());
        using var graph = JsonDocument.Parse(await client.GetStringAsync($"/graph.json?{Window}"));
        var edge = graph.RootElement.GetProperty("edges").EnumerateArray()
            .Single(e => e.GetProperty("source").GetString() == caller && e.GetProperty("target").GetString() == callee);
        Assert.Equal(edge.GetProperty("callCount").GetInt64(), finding.GetProperty("calls").GetInt64());
        Assert.Equal(edge.GetProperty("errorCount").GetInt64(), finding.GetProperty("errors").GetInt64());
        var exemplars = edge.GetProperty("exemplars");
        var expected = exemplars.TryGetProperty("latestFailure", out var failure) ? failure : exemplars.GetProperty("slowest");
        Assert.Equal(expected.GetProperty("traceId").GetString(), finding.GetProperty("exemplarTraceId").GetString());
    }
}
