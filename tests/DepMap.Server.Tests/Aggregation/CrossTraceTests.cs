using System.Text;
using System.Text.Json.Nodes;
using DepMap.Server.Features.Aggregation;
using DepMap.Server.Tests.Features.Graph;
using DepMap.Tests.Shared;

namespace DepMap.Server.Tests.Aggregation;

/// <summary>
/// A consumer that starts its own trace and links to its producer's span (docs/examples/linking/
/// messaging-cross-trace.json): whichever trace is linked first, the statistics end byte for byte
/// those of a run that saw both traces at once.
/// </summary>
public class CrossTraceTests
{
    private const string Example = "messaging-cross-trace.json";

    private static IReadOnlyList<string> PageEdges => LinkingDocs.Examples().Single(e => e.File == Example).Edges;

    [Fact]
    public async Task Statistics_PairProducerAndConsumer_WhenTheProducerTraceArrivesAfterTheConsumerTraceWasLinked()
    {
        using var factory = new AggregationFactory();
        await LinkingDocsTests.PostAsync(factory, Part("mailer"));
        await factory.AggregateAsync();
        var consumerOnly = await LinkingDocsTests.EdgesAsync(factory);

        await LinkingDocsTests.PostAsync(factory, Part("invoicing"));
        await factory.AggregateAsync();

        Assert.Equal(["rabbitmq -> mailer (messaging_system) calls=1 errors=0"], consumerOnly);
        Assert.Equal(PageEdges, await LinkingDocsTests.EdgesAsync(factory));
        Assert.Equal(await CleanRunAsync(), await StatisticsSnapshot.TakeAsync(factory));
    }

    [Fact]
    public async Task Statistics_PairProducerAndConsumer_WhenTheConsumerTraceArrivesAfterTheProducerTraceWasLinked()
    {
        using var factory = new AggregationFactory();
        await LinkingDocsTests.PostAsync(factory, Part("invoicing"));
        await factory.AggregateAsync();
        var producerOnly = await LinkingDocsTests.EdgesAsync(factory);

        await LinkingDocsTests.PostAsync(factory, Part("mailer"));
        await factory.AggregateAsync();

        Assert.Equal(["invoicing -> rabbitmq (messaging_system) calls=1 errors=0", "user -> invoicing (virtual_node) calls=1 errors=0"], producerOnly);
        Assert.Equal(PageEdges, await LinkingDocsTests.EdgesAsync(factory));
        Assert.Equal(await CleanRunAsync(), await StatisticsSnapshot.TakeAsync(factory));
    }

    [Fact]
    public async Task Statistics_AreThoseOfACleanRun_WhenTheSecondTraceIsLinkedByARecurringRunAfterItSettles()
    {
        using var factory = new AggregationFactory();
        await LinkingDocsTests.PostAsync(factory, Part("mailer"));
        factory.Clock.Advance(TimeSpan.FromSeconds(31));
        await factory.AggregateAsync(flush: false);
        await LinkingDocsTests.PostAsync(factory, Part("invoicing"));
        factory.Clock.Advance(TimeSpan.FromSeconds(31));

        await factory.AggregateAsync(flush: false);

        Assert.Equal(PageEdges, await LinkingDocsTests.EdgesAsync(factory));
        Assert.Equal(await CleanRunAsync(), await StatisticsSnapshot.TakeAsync(factory));
    }

    [Fact]
    public async Task Statistics_AreThoseOfACleanRun_WhenTheRelinkIsKilledBeforeItsCommitAndRunsAgain()
    {
        using var factory = new AggregationFactory();
        await LinkingDocsTests.PostAsync(factory, Part("mailer"));
        await factory.AggregateAsync();
        await LinkingDocsTests.PostAsync(factory, Part("invoicing"));
        factory.Faults.BeforeCommit = _ => throw new InvalidOperationException("killed");
        await Assert.ThrowsAsync<InvalidOperationException>(() => factory.SendAsync(new AggregateSpans(Flush: true)));
        factory.Faults.BeforeCommit = null;

        await factory.AggregateAsync();

        Assert.Equal(await CleanRunAsync(), await StatisticsSnapshot.TakeAsync(factory));
    }

    [Fact]
    public async Task Statistics_AreThoseOfOneCopy_WhenBothTracesAreSentTwiceAcrossRuns()
    {
        using var factory = new AggregationFactory();
        await LinkingDocsTests.PostAsync(factory, Whole());
        await factory.AggregateAsync();
        await LinkingDocsTests.PostAsync(factory, Part("invoicing"));
        await LinkingDocsTests.PostAsync(factory, Part("mailer"));

        await factory.AggregateAsync();

        Assert.Equal(await CleanRunAsync(), await StatisticsSnapshot.TakeAsync(factory));
    }

    private static async Task<string> CleanRunAsync()
    {
        using var clean = new AggregationFactory();
        await LinkingDocsTests.PostAsync(clean, Whole());
        await clean.AggregateAsync();
        Assert.Equal(PageEdges, await LinkingDocsTests.EdgesAsync(clean));
        return await StatisticsSnapshot.TakeAsync(clean);
    }

    private static byte[] Whole() => File.ReadAllBytes(LinkingDocs.ExampleFile(Example));

    /// <summary>The example's resource spans of one service: one of its two traces.</summary>
    internal static byte[] Part(string service)
    {
        var document = JsonNode.Parse(Whole())!;
        var resources = document["resourceSpans"]!.AsArray()
            .Where(r => r!["resource"]!["attributes"]!.AsArray().Any(a => a!["value"]!["stringValue"]!.GetValue<string>() == service))
            .Select(r => r!.DeepClone());
        return Encoding.UTF8.GetBytes(new JsonObject { ["resourceSpans"] = new JsonArray([.. resources]) }.ToJsonString());
    }
}
