using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using DepMap.Tests.Shared.PostgreSql;
using Xunit.Abstractions;

namespace DepMap.Server.Tests.Faults;

/// <summary>
/// Two real DepMap server processes on one PostgreSQL database, as behind a load balancer: each
/// receives half of the spans of the same traces (the gateway span to one, the orders spans to the
/// other), so no trace can be linked from one instance's spans alone. Their statistics must equal
/// those of one SQLite instance fed the same spans, also when one instance is SIGKILLed during
/// ingest or during an aggregation run and the other finishes the work.
/// </summary>
[Trait("Category", "Faults")]
[Collection(FaultsCollection.Name)]
public sealed class ScaleOutTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TwoInstances_GiveTheStatisticsOfOneSqliteInstance_WhenEachReceivesHalfOfEveryTrace()
    {
        var traffic = new FaultTraffic(FaultSeed.Value + 10);
        // An empty database: the two instances start together and migrate it one at a time.
        await using var database = await PostgresDatabase.CreateEmptyAsync();
        var started = await Task.WhenAll(StartAsync(database), StartAsync(database));
        using var first = started[0];
        using var second = started[1];
        var load = new SplitLoad(traffic);

        await load.RunAsync(first.Address, second.Address, batches: 200, CancellationToken.None);
        Assert.Empty(load.Unanswered);
        // Both instances flush at once: their runs must serialise, not count a span twice.
        using var a = first.Client();
        using var b = second.Client();
        var flushes = await Task.WhenAll(a.PostAsync("/api/aggregate?flush=true", null), b.PostAsync("/api/aggregate?flush=true", null));
        Assert.All(flushes, f => Assert.True(f.IsSuccessStatusCode, f.StatusCode.ToString()));

        await AssertCleanRunAgreesAsync(database, traffic, load, "two instances, traces split between them", kills: 0);
    }

    [Fact]
    public async Task TheSurvivorFinishes_WithEveryAcknowledgedSpanCountedOnce_WhenOneInstanceIsKilledDuringIngest()
    {
        var random = new Random(FaultSeed.Value + 11);
        var traffic = new FaultTraffic(FaultSeed.Value + 11);
        await using var database = await PostgresDatabase.CreateEmptyAsync();
        using var survivor = await StartAsync(database);
        var load = new SplitLoad(traffic);
        using (var victim = await StartAsync(database))
        {
            using var stop = new CancellationTokenSource();
            var running = load.RunAsync(victim.Address, survivor.Address, batches: int.MaxValue, stop.Token);
            await WaitUntilAsync(() => load.Acknowledged.Count >= 100, running);
            await Task.Delay(random.Next(0, 1_000));
            victim.Kill();
            await WaitUntilAsync(() => !load.Unanswered.IsEmpty, running);
            await Task.Delay(300);
            await stop.CancelAsync();
            await running;
        }
        // The load balancer sends the parts the dead instance never answered to the survivor.
        await load.ResendUnansweredAsync(survivor.Address);
        using var client = survivor.Client();
        Assert.True((await client.PostAsync("/api/aggregate?flush=true", null)).IsSuccessStatusCode);

        await AssertCleanRunAgreesAsync(database, traffic, load, "one of two instances killed during ingest", kills: 1);
    }

    [Fact]
    public async Task TheSurvivorFinishes_WithEveryAcknowledgedSpanCountedOnce_WhenOneInstanceIsKilledDuringAnAggregationRun()
    {
        var random = new Random(FaultSeed.Value + 12);
        var traffic = new FaultTraffic(FaultSeed.Value + 12);
        await using var database = await PostgresDatabase.CreateEmptyAsync();
        using var survivor = await StartAsync(database);
        var load = new SplitLoad(traffic);
        var killedRuns = 0;
        // Up to three tries for the kill to land inside a run; a run that ended first does not count.
        for (var attempt = 0; attempt < 3 && killedRuns < 1; attempt++)
        {
            using var victim = await StartAsync(database);
            await load.RunAsync(victim.Address, survivor.Address, batches: 400, CancellationToken.None);
            using var client = victim.Client();
            var run = client.PostAsync("/api/aggregate?flush=true", null);
            await Task.Delay(random.Next(50, 400));
            var finished = run.IsCompleted;
            victim.Kill();
            killedRuns += finished ? 0 : 1;
            await Task.WhenAny(run);
        }
        Assert.True(killedRuns == 1, "no kill landed inside an aggregation run");
        await load.ResendUnansweredAsync(survivor.Address);
        using var survivorClient = survivor.Client();
        Assert.True((await survivorClient.PostAsync("/api/aggregate?flush=true", null)).IsSuccessStatusCode);

        await AssertCleanRunAgreesAsync(database, traffic, load, "one of two instances killed during an aggregation run", killedRuns);
    }

    private static Task<ServerProcess> StartAsync(PostgresDatabase database) =>
        ServerProcess.StartAsync(DepMapFactory.NewFolder(),
            "--Storage:Provider=PostgreSql",
            $"--ConnectionStrings:DepMap={database.ConnectionString}");

    private async Task AssertCleanRunAgreesAsync(PostgresDatabase database, FaultTraffic traffic, SplitLoad load, string what, int kills)
    {
        var expected = await CleanRun.StatisticsOfPartsAsync(traffic, load.Acknowledged);
        var actual = await ScaleOutDatabase.StatisticsAsync(database);
        FaultSeed.Report(output,
            $"{what}: {kills} kills, {load.Acknowledged.Count:N0} half-batches acknowledged ({load.Resent} re-sent to the other instance), " +
            $"{StoredFiles.CallsCounted(actual):N0} calls counted on PostgreSQL (one SQLite instance: {StoredFiles.CallsCounted(expected):N0})");
        Assert.NotEqual("", expected);
        Assert.Equal(expected, actual);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Task running)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.False(running.IsCompleted && !condition(), "the load stopped first");
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "the condition did not hold within 60 s");
            await Task.Delay(20);
        }
    }
}

/// <summary>
/// Sends each batch of <see cref="FaultTraffic"/> in two parts, part 0 to one instance and part 1
/// to the other, and keeps what each answer means: acknowledged (202), or unanswered or refused (the
/// client sends it again, to whichever instance is up).
/// </summary>
internal sealed class SplitLoad(FaultTraffic traffic)
{
    private readonly ConcurrentDictionary<(int Batch, int Part), bool> _acknowledged = new();
    private int _next;

    public IReadOnlyCollection<(int Batch, int Part)> Acknowledged => [.. _acknowledged.Keys.Order()];

    public ConcurrentQueue<(int Batch, int Part)> Unanswered { get; } = new();

    public int Resent { get; private set; }

    public async Task RunAsync(Uri first, Uri second, int batches, CancellationToken stop)
    {
        using var a = new HttpClient { BaseAddress = first, Timeout = TimeSpan.FromSeconds(60) };
        using var b = new HttpClient { BaseAddress = second, Timeout = TimeSpan.FromSeconds(60) };
        var end = _next + batches;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var batch = Interlocked.Increment(ref _next) - 1;
                if (batch >= end)
                {
                    return;
                }
                await Task.WhenAll(SendAsync(a, batch, 0), SendAsync(b, batch, 1));
            }
        }, CancellationToken.None)));
    }

    public async Task ResendUnansweredAsync(Uri server)
    {
        using var client = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(60) };
        while (Unanswered.TryDequeue(out var part))
        {
            Resent++;
            Assert.True(await PostAsync(client, part) == HttpStatusCode.Accepted, $"part {part} was refused by a healthy instance");
            _acknowledged[part] = true;
        }
    }

    private async Task SendAsync(HttpClient client, int batch, int part)
    {
        HttpStatusCode? status;
        try
        {
            status = await PostAsync(client, (batch, part));
        }
        catch (HttpRequestException)
        {
            status = null;
        }
        catch (TaskCanceledException)
        {
            status = null;
        }
        catch (System.Net.Sockets.SocketException)
        {
            // A connection opened as the instance was killed can fail unwrapped ("Transport endpoint
            // is not connected" from the pool's remote end point): unanswered, as any other.
            status = null;
        }
        if (status == HttpStatusCode.Accepted)
        {
            _acknowledged[(batch, part)] = true;
        }
        else
        {
            Unanswered.Enqueue((batch, part));
        }
    }

    private async Task<HttpStatusCode> PostAsync(HttpClient client, (int Batch, int Part) part)
    {
        using var content = new ByteArrayContent(traffic.Part(part.Batch, part.Part));
        content.Headers.ContentType = new("application/json");
        using var response = await client.PostAsync("/api/v2/spans", content);
        return response.StatusCode;
    }
}
