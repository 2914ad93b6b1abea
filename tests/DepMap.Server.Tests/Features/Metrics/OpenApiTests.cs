using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DepMap.Server.Tests.Features.Metrics;

/// <summary>/openapi/v1.json describes every route the app maps.</summary>
public sealed class OpenApiTests(DepMapFactory factory) : IClassFixture<DepMapFactory>
{
    /// <summary>Mapped routes that are not HTTP APIs, and why they are left out.</summary>
    private static readonly Dictionary<string, string> NotDescribed = new()
    {
        ["/opentelemetry.proto.collector.trace.v1.TraceService/Export"] = "OTLP/gRPC, described by the OTLP protobuf definitions",
        ["/openapi/{documentName}.json"] = "the description itself",
    };

    [Fact]
    public async Task OpenApiDocument_DescribesEveryMappedRoute_WithItsMethods()
    {
        using var client = factory.CreateClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");

        var routes = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => !IsGrpcFallback(e) && !(e.RoutePattern.RawText ?? "").StartsWith("/hangfire", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(routes);
        foreach (var route in routes)
        {
            var path = Path(route);
            if (NotDescribed.ContainsKey(path))
            {
                continue;
            }
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is mapped but not in /openapi/v1.json");
            var methods = route.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            foreach (var method in methods)
            {
                Assert.True(item.TryGetProperty(method.ToLowerInvariant(), out var operation), $"{method} {path} is mapped but not described");
                Assert.True(operation.TryGetProperty("summary", out var summary) && summary.GetString()!.Length > 0,
                    $"{method} {path} has no summary: add it to src/DepMap.Server/Hosting/ApiDescriptions.cs");
            }
        }
    }

    [Fact]
    public async Task OpenApiDocument_GivesQueryParametersFormatsAndProblemBodies_ForGraphJson()
    {
        using var client = factory.CreateClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var operation = document.RootElement.GetProperty("paths").GetProperty("/graph.json").GetProperty("get");

        var parameters = operation.GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal(["depth", "direction", "focus", "from", "group", "lookback", "minCalls", "to"], parameters.Keys.Order());
        Assert.All(parameters.Values, p => Assert.Equal("query", p.GetProperty("in").GetString()));
        Assert.Equal("date-time", parameters["from"].GetProperty("schema").GetProperty("format").GetString());
        Assert.Equal(32, parameters["depth"].GetProperty("schema").GetProperty("maximum").GetInt32());
        Assert.Equal(["upstream", "downstream", "both"], parameters["direction"].GetProperty("schema").GetProperty("enum").EnumerateArray().Select(v => v.GetString()));
        var problem = operation.GetProperty("responses").GetProperty("400").GetProperty("content").GetProperty("application/problem+json");
        Assert.Equal("#/components/schemas/ProblemDetails", problem.GetProperty("schema").GetProperty("$ref").GetString());
        Assert.True(document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("ProblemDetails")
            .GetProperty("properties").TryGetProperty("detail", out _));
        Assert.True(document.RootElement.GetProperty("paths").GetProperty("/v1/traces").GetProperty("post")
            .GetProperty("requestBody").GetProperty("content").TryGetProperty("application/x-protobuf", out _));
    }

    /// <summary>The route as OpenAPI writes it: constraints dropped (<c>{id:long}</c> is <c>{id}</c>), a group's empty route without its slash.</summary>
    private static string Path(RouteEndpoint route) =>
        System.Text.RegularExpressions.Regex.Replace("/" + route.RoutePattern.RawText!.Trim('/'), @"\{(\w+):[^}]*\}", "{$1}");

    // gRPC maps catch-alls answering UNIMPLEMENTED for unknown services and methods.
    private static bool IsGrpcFallback(RouteEndpoint endpoint) =>
        endpoint.DisplayName?.StartsWith("gRPC - Unimplemented", StringComparison.Ordinal) == true;
}
