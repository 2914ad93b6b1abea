using DepMap.Core.Spans;
using DepMap.Server.Features.Ingest;
using DepMap.Storage.Spans;
using Microsoft.Extensions.DependencyInjection;

namespace DepMap.Server.Tests.Features.Ingest;

/// <summary>The span writer's queue as admission reads it: from every request thread while the writer takes writes out.</summary>
public class SpanWriterTests
{
    /// <summary>
    /// Admission asks for the predicted wait on each request's thread while the writer's loop reads
    /// the queue. The queue was made for one reader: a look at its oldest write that raced the loop
    /// taking it out saw a null write, and the request got a 500 (once in 10 minutes at 40,000
    /// spans/s). Here two threads look as fast as they can while 2,000 writes go through.
    /// </summary>
    [Fact]
    public async Task PredictedWait_CanBeReadFromAnyThread_WhileTheWriterTakesWritesOut()
    {
        using var factory = new DepMapFactory();
        var writer = factory.Services.GetRequiredService<SpanWriter>();
        var stop = false;
        var looks = new long[2];
        Exception? failed = null;
        // Threads of their own: busy thread-pool workers on two cores would starve the writer's awaits.
        var lookers = Enumerable.Range(0, looks.Length).Select(looker => new Thread(() =>
        {
            try
            {
                while (!Volatile.Read(ref stop))
                {
                    Assert.True(writer.PredictedWait >= TimeSpan.Zero);
                    Interlocked.Increment(ref looks[looker]);
                }
            }
            catch (Exception exception)
            {
                failed = exception;
            }
        })).ToList();
        lookers.ForEach(thread => thread.Start());
        SpinWait.SpinUntil(() => looks.All(count => Interlocked.Read(ref count) > 0) || failed is not null, TimeSpan.FromSeconds(10));

        var outcomes = new List<WriteOutcome>();
        for (var round = 0; round < 100; round++)
        {
            var writes = Enumerable.Range(0, 20).Select(i => writer.WriteAsync([EncodedSpan.From(Span(round * 20 + i))])).ToList();
            outcomes.AddRange(await Task.WhenAll(writes));
        }
        Volatile.Write(ref stop, true);
        lookers.ForEach(thread => thread.Join());

        Assert.Null(failed);
        Assert.Equal(2_000, outcomes.Count(outcome => outcome == WriteOutcome.Committed));
        Assert.All(looks, count => Assert.True(count > 0));
    }

    private static Span Span(int i) => new()
    {
        TraceId = new TraceId(0, (ulong)i + 1),
        SpanId = 1,
        Kind = SpanKind.Server,
        LocalService = "checkout",
        Name = "charge",
        StartUnixNano = 1_700_000_000_000_000_000 + i,
        DurationNano = 1_000_000,
    };
}
