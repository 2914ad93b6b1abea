using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.OpenApi;

namespace DepMap.Server.Hosting;

/// <summary>
/// The OpenAPI description of every HTTP endpoint, at <c>/openapi/v1.json</c>: what the generator
/// reads from the handlers, completed from <see cref="ApiDescriptions"/> with the query parameters
/// (type, format, range), the content types and the ProblemDetails answers.
/// </summary>
internal static class OpenApiSetup
{
    private const string ProblemSchema = "ProblemDetails";

    private static readonly Dictionary<int, string> ProblemMeanings = new()
    {
        [400] = "Malformed payload or invalid parameter; detail names it and why, `parameter` names the query parameter",
        [403] = "Not allowed from here; detail says what is needed",
        [404] = "Not found; detail names what",
        [413] = "Body over Ingest:MaxBodyBytes after decompression",
        [415] = "Unsupported Content-Type or Content-Encoding; detail lists the supported ones",
        [429] = "Ingest queue full; retry after Retry-After seconds",
        [500] = "Graphviz failed; detail holds its exit code and error output",
        [503] = "Storage unavailable (ingest, with Retry-After) or Graphviz not installed (pictures)",
    };

    public static IServiceCollection AddDepMapOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi(options =>
        {
            options.AddOperationTransformer((operation, context, _) =>
            {
                // The relative path keeps route constraints ({id:long}); the document and the table do not.
                var path = Regex.Replace(context.Description.RelativePath ?? "", @"\{(\w+):[^}]*\}", "{$1}").TrimEnd('/');
                var key = $"{context.Description.HttpMethod} /{path}";
                if (ApiDescriptions.Operations.TryGetValue(key, out var described))
                {
                    Describe(operation, described, context.Document!);
                }
                return Task.CompletedTask;
            });
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "DepMap";
                document.Info.Description = "Service dependency graphs from tracing spans. Errors are RFC 9457 ProblemDetails whose detail names the problem.";
                AddHealthz(document);
                return Task.CompletedTask;
            });
        });
        return services;
    }

    public static IEndpointRouteBuilder MapDepMapOpenApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi();
        return app;
    }

    private static void Describe(OpenApiOperation operation, ApiOperation described, OpenApiDocument document)
    {
        operation.Summary = described.Summary;
        operation.Parameters ??= [];
        foreach (var parameter in described.Query)
        {
            if (operation.Parameters.Any(p => p.Name == parameter.Name))
            {
                continue;
            }
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = parameter.Name,
                In = ParameterLocation.Query,
                Required = parameter.Required,
                Description = parameter.Description,
                Schema = Schema(parameter),
            });
        }
        operation.Responses ??= [];
        if (described.Produces is { } produces && SuccessOf(operation) is { } success)
        {
            success.Content ??= new Dictionary<string, OpenApiMediaType>();
            success.Content.Clear();
            foreach (var type in produces)
            {
                success.Content[type] = new OpenApiMediaType();
            }
        }
        if (described.Consumes is { } consumes)
        {
            var body = new OpenApiRequestBody { Required = true, Content = new Dictionary<string, OpenApiMediaType>() };
            foreach (var type in consumes)
            {
                body.Content[type] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } };
            }
            operation.RequestBody = body;
        }
        foreach (var status in described.Problems)
        {
            operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = ProblemMeanings[status],
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/problem+json"] = new() { Schema = ProblemReference(document) },
                },
            };
        }
    }

    private static OpenApiResponse? SuccessOf(OpenApiOperation operation) =>
        operation.Responses!.Where(r => r.Key.StartsWith('2')).Select(r => r.Value).OfType<OpenApiResponse>().FirstOrDefault();

    private static OpenApiSchema Schema(ApiParameter parameter)
    {
        var schema = new OpenApiSchema
        {
            Type = parameter.Type switch
            {
                "integer" => JsonSchemaType.Integer,
                "boolean" => JsonSchemaType.Boolean,
                _ => JsonSchemaType.String,
            },
            Format = parameter.Format,
        };
        if (parameter.Minimum is { } min)
        {
            schema.Minimum = min.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (parameter.Maximum is { } max)
        {
            schema.Maximum = max.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (parameter.Values is { } values)
        {
            schema.Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))];
        }
        return schema;
    }

    /// <summary>RFC 9457 ProblemDetails, with DepMap's <c>parameter</c> extension, once in the components.</summary>
    private static OpenApiSchemaReference ProblemReference(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas.TryAdd(ProblemSchema, new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                ["title"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer | JsonSchemaType.Null, Format = "int32" },
                ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "What is wrong: the parameter or field and the reason" },
                ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                ["parameter"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The query parameter at fault (400 on a parameter)" },
            },
        });
        return new OpenApiSchemaReference(ProblemSchema, document);
    }

    /// <summary>/healthz is ASP.NET Core's health-check middleware, which the generator does not see.</summary>
    private static void AddHealthz(OpenApiDocument document)
    {
        var described = ApiDescriptions.Operations["GET /healthz"];
        document.Paths ??= [];
        document.Paths["/healthz"] = new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    Summary = described.Summary,
                    Responses = new OpenApiResponses
                    {
                        ["200"] = new OpenApiResponse { Description = "Healthy", Content = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = new() } },
                        ["503"] = new OpenApiResponse { Description = "Unhealthy", Content = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = new() } },
                    },
                },
            },
        };
    }
}
