using System.Text.Json;
using System.Text.Json.Nodes;
using DepMap.Tests.Shared;

namespace DepMap.Cli.Tests;

/// <summary>docs/linking.md through the command line: every example file gives the edges the page states.</summary>
public class LinkingDocsTests
{
    public static TheoryData<string> Files => [.. LinkingDocs.Examples().Select(e => e.File)];

    [Fact]
    public void LinkingPage_StatesEdgesForEveryExampleFile_WhenReadWithItsExamples()
    {
        var stated = LinkingDocs.Examples().Select(e => e.File).Order(StringComparer.Ordinal);
        var files = Directory.GetFiles(LinkingDocs.Folder, "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal);

        Assert.Equal(files, stated);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Graph_DrawsTheEdgesTheLinkingPageStates_WhenGivenTheExample(string file)
    {
        var example = LinkingDocs.Examples().Single(e => e.File == file);

        var graph = await Cli.RunAsync("graph", LinkingDocs.ExampleFile(file), "--format", "json");
        var zipkin = await Cli.RunAsync("graph", LinkingDocs.ExampleFile(file), "--format", "zipkin");

        Assert.Equal((0, ""), (graph.ExitCode, graph.Stderr));
        Assert.Equal(example.Edges, LinkingDocs.EdgeLines(graph.Stdout));
        if (example.ZipkinLinks is { } links)
        {
            Assert.Equal(links, LinkingDocs.ZipkinLines(zipkin.Stdout));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Graph_PairsConsumerWithProducerOfAnotherTrace_WhenTheyAreInSeparateFilesInEitherOrder(bool consumerFirst)
    {
        using var folder = new TempFolder();
        var (producer, consumer) = SplitByService(folder, "messaging-cross-trace.json", "invoicing", "mailer");
        var example = LinkingDocs.Examples().Single(e => e.File == "messaging-cross-trace.json");

        var graph = await Cli.RunAsync(consumerFirst ? ["graph", consumer, producer, "-f", "json"] : ["graph", producer, consumer, "-f", "json"]);
        var consumerAlone = await Cli.RunAsync("graph", consumer, "-f", "json");

        Assert.Equal(example.Edges, LinkingDocs.EdgeLines(graph.Stdout));
        // Without the producer's trace the consumer is called by its broker.
        Assert.Equal(["rabbitmq -> mailer (messaging_system) calls=1 errors=0"], LinkingDocs.EdgeLines(consumerAlone.Stdout));
    }

    /// <summary>Writes the resource spans of <paramref name="first"/> and of <paramref name="second"/> to two OTLP JSON files.</summary>
    internal static (string First, string Second) SplitByService(TempFolder folder, string file, string first, string second)
    {
        var document = JsonNode.Parse(File.ReadAllText(LinkingDocs.ExampleFile(file)))!;
        string Write(string service)
        {
            var resources = document["resourceSpans"]!.AsArray()
                .Where(r => r!["resource"]!["attributes"]!.AsArray().Any(a => a!["value"]!["stringValue"]!.GetValue<string>() == service))
                .Select(r => r!.DeepClone());
            var part = new JsonObject { ["resourceSpans"] = new JsonArray([.. resources]) };
            return folder.Write($"{service}.json", part.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        return (Write(first), Write(second));
    }
}
