using System.Text;
using DepMap.Core.Conformance;

namespace DepMap.ModelImport.Tests;

public sealed class ModelReaderTests
{
    private static ArchitectureModel Read(string text) => ModelReader.Read(Encoding.UTF8.GetBytes(text), "test");

    private static List<string> Edges(ArchitectureModel model) => [.. model.Dependencies.Select(d => $"{d.From} > {d.To}")];

    // Backstage's parseEntityRef: the namespace defaults to the entity's own, consumesApis/providesApis to kind API.
    [Fact]
    public void Backstage_ResolvesRefsAsTheCatalogDoes_WhenKindAndNamespaceAreLeftOut()
    {
        var model = Read("""
            apiVersion: backstage.io/v1alpha1
            kind: Component
            metadata: { name: web, namespace: shop }
            spec:
              type: website
              consumesApis: [orders-api]
              dependsOn: ["component:search", "resource:default/cdn"]
            ---
            apiVersion: backstage.io/v1alpha1
            kind: Component
            metadata: { name: orders, namespace: shop }
            spec: { type: service, providesApis: [api:orders-api] }
            ---
            apiVersion: backstage.io/v1alpha1
            kind: Group
            metadata: { name: team }
            """);

        Assert.Equal(["component:shop/web > component:shop/orders", "component:shop/web > component:shop/search", "component:shop/web > resource:default/cdn"], Edges(model));
        Assert.Equal("api:shop/orders-api", model.Dependencies[0].Via);
        Assert.Equal(["component:shop/orders", "component:shop/search", "component:shop/web", "resource:default/cdn"], model.Entities.Select(e => e.Ref));
        Assert.Equal("shop", model.Find("COMPONENT:shop/Web")!.Namespace);
    }

    [Fact]
    public void Backstage_KeepsAnApiNobodyProvides_SoItIsReportedNotDropped()
    {
        var model = Read("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: web\nspec:\n  consumesApis: [payments-api]\n");

        Assert.Equal(["component:default/web > api:default/payments-api"], Edges(model));
    }

    [Fact]
    public void StructurizrDsl_ReadsContainersRelationshipsAndThis_WhenNested()
    {
        var model = Read("""
            workspace "Shop" {
                !identifiers flat
                model {
                    customer = person "Customer"
                    shop = softwareSystem "Shop" {
                        web = container "Web" "" "React" {
                            -> api "Calls"
                            properties {
                                "depmap.io/service-name" "web-frontend"
                            }
                        }
                        api = container "API" {
                            this -> db "Reads"
                        }
                        db = container "Database" "" "PostgreSQL" "Database"
                    }
                    customer -> web "Uses"
                    customer -> shop "Uses (summary)"
                }
                views {
                    container shop { include * }
                }
            }
            """);

        Assert.Equal("structurizr-dsl", model.Format);
        Assert.Equal(["container:Shop/API > container:Shop/Database", "container:Shop/Web > container:Shop/API", "person:Customer > container:Shop/Web"], Edges(model));
        Assert.Equal(["web-frontend"], model.Find("container:Shop/Web")!.Aliases);
        Assert.True(model.Find("person:Customer")!.IsActor);
        Assert.Equal("PostgreSQL", model.Find("container:Shop/Database")!.Type);
    }

    [Fact]
    public void Structurizr_SkipsImpliedRelationships_WhenLinkedToAnother()
    {
        var model = Read("""
            {"model":{"softwareSystems":[
              {"id":"1","name":"A","relationships":[{"id":"9","sourceId":"1","destinationId":"2"},{"id":"10","sourceId":"1","destinationId":"3","linkedRelationshipId":"9"}]},
              {"id":"2","name":"B"},{"id":"3","name":"C"}]}}
            """);

        Assert.Equal(["softwaresystem:A > softwaresystem:B"], Edges(model));
    }

    [Theory]
    [InlineData("", "test: the file is empty")]
    [InlineData("{\"model\": {\"softwareSystems\": {}}}", "$.model.softwareSystems must be an array, not an object")]
    [InlineData("{\"nodes\": [{\"name\": \"a\"}]}", "$.nodes[0].unique-id is required")]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n", "document 1: apiVersion 'v1' is not a Backstage entity")]
    [InlineData("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  title: a\n", "document 1.metadata.name is required (line 4)")]
    [InlineData("workspace {\n  model {\n    !include other.dsl\n  }\n}\n", "line 3: !include is not supported")]
    [InlineData("workspace {\n  model {\n    a = softwareSystem \"A\"\n", "2 block(s) not closed")]
    [InlineData("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\n  name: b\n", "not valid YAML at line 5, column 3: duplicate key 'name'")]
    [InlineData("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: *meta\n", "alias *meta names no anchor before it")]
    public void Read_NamesTheFileFieldAndReason_WhenTheModelCannotBeUsed(string text, string expected)
    {
        var error = Assert.Throws<ModelFormatException>(() => Read(text));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    // The YAML tree is built from parser events (Yaml.cs), so anchors and aliases are resolved there.
    [Fact]
    public void Backstage_ResolvesYamlAliases_WhenAListIsReused()
    {
        var model = Read("""
            apiVersion: backstage.io/v1alpha1
            kind: Component
            metadata: { name: web }
            spec: { type: service, dependsOn: &both [component:orders], dependencyOf: *both }
            ---
            apiVersion: backstage.io/v1alpha1
            kind: Component
            metadata: { name: orders }
            spec: { type: service }
            """);

        Assert.Equal(["component:default/orders > component:default/web", "component:default/web > component:default/orders"], Edges(model));
    }

    [Fact]
    public void Rules_ReadsEveryRule_WhenGivenAsJson()
    {
        var rules = RulesReader.Read(Encoding.UTF8.GetBytes("""
            {"forbidden": [{"from": {"type": "website"}, "to": "ledger", "connection": "database"}],
             "layers": [{"name": "edge", "members": [{"service": "gate*"}]}],
             "noCycles": true, "maxFanOut": 4, "everyServiceDeclared": false, "minWindow": "7d"}
            """), "rules.json");

        Assert.Equal("type website must not call service ledger over database", rules.Forbidden[0].Describe());
        Assert.Equal("edge", rules.Layers[0].Name);
        Assert.True(rules.NoCycles);
        Assert.Equal(4, rules.MaxFanOut);
        Assert.Equal(TimeSpan.FromDays(7), rules.MinWindow);
    }

    [Fact]
    public void Mapping_ReadsOneOrManyServicesPerEntity()
    {
        var mapping = MappingReader.Read(Encoding.UTF8.GetBytes("services:\n  component:default/orders: [orders-v1, orders-v2]\n  billing: billing-svc\n"), "mapping.yaml");

        Assert.Equal(["orders-v1", "orders-v2"], mapping.Services["COMPONENT:default/orders"]);
        Assert.Equal(["billing-svc"], mapping.Services["billing"]);
    }
}
