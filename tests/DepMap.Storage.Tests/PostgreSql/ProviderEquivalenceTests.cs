using DepMap.Core.Spans;
using DepMap.Core.Statistics;
using DepMap.Storage.Aggregation;
using DepMap.Storage.PostgreSql.Aggregation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace DepMap.Storage.Tests.PostgreSql;

/// <summary>
/// The same spans, arriving the same way, aggregated on SQLite and on PostgreSQL: every statistics
/// row (edges, nodes, Zipkin links, reliability, in minute and hour buckets) is the same, blobs included.
/// </summary>
public class ProviderEquivalenceTests
{
    private static readonly long Start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Fact]
    public async Task Statistics_AreTheSameRowsOnBothProviders_ForTheSameSpansAndRuns()
    {
        using var sqlite = new TempDatabase();
        await using var fresh = await PostgresSpans.FreshAsync();
        var postgres = fresh.Database;
        var sqliteEngine = new SqliteAggregationEngine(sqlite.Options, NullLogger<SqliteAggregationEngine>.Instance);
        var postgresEngine = new PostgreSqlAggregationEngine(postgres.Options, NullLogger<PostgreSqlAggregationEngine>.Instance);
        var (early, late) = Spans();
        var receivedAt = Start + 4 * 3_600_000;

        // Chunks as ingest commits them; a settled run between, then the late spans and a flush,
        // so traces are linked, re-linked by difference and paired across traces on both.
        foreach (var (chunk, i) in early.Chunk(37).Select((c, i) => (c, i)))
        {
            sqlite.Append(chunk, receivedAt + i * 100);
            await postgres.AppendAsync(chunk, receivedAt + i * 100);
        }
        var settled = new AggregationRun(receivedAt + 60_000, receivedAt + 1_000, 53);
        var sqliteSettled = await sqliteEngine.RunAsync(settled, _ => { }, CancellationToken.None);
        var postgresSettled = await postgresEngine.RunAsync(settled, _ => { }, CancellationToken.None);
        sqlite.Append(late, receivedAt + 70_000);
        await postgres.AppendAsync(late, receivedAt + 70_000);
        var flush = new AggregationRun(receivedAt + 80_000, null, 53);
        var sqliteFlush = await sqliteEngine.RunAsync(flush, _ => { }, CancellationToken.None);
        var postgresFlush = await postgresEngine.RunAsync(flush, _ => { }, CancellationToken.None);

        Assert.Equal(sqliteSettled, postgresSettled);
        Assert.Equal(sqliteFlush, postgresFlush);
        await using var s = sqlite.Open();
        await using var p = postgres.Open();
        var sqliteRows = await RowsAsync(s);
        var postgresRows = await RowsAsync(p);
        Assert.True(sqliteRows.Edges.Count > 100, $"only {sqliteRows.Edges.Count} edge rows: the fixture should exercise more");
        Assert.True(await s.TraceLinks.AnyAsync(), "no trace linked across traces: the fixture should pair messages");
        Assert.Equal(await s.TraceLinks.CountAsync(), await p.TraceLinks.CountAsync());
        Assert.Equal(sqliteRows.Edges, postgresRows.Edges);
        Assert.Equal(sqliteRows.Nodes, postgresRows.Nodes);
        Assert.Equal(sqliteRows.Links, postgresRows.Links);
        Assert.Equal(sqliteRows.Reliability, postgresRows.Reliability);
    }

    internal sealed record Rows(List<string> Edges, List<string> Nodes, List<string> Links, List<string> Reliability);

    /// <summary>Every statistics row of the database as text, blobs in hex, in one order.</summary>
    internal static async Task<Rows> RowsAsync(DepMapDbContext db) => new(
        (await db.GraphBuckets.AsNoTracking().ToListAsync())
            .SelectMany(g => StatisticsPack.ReadEdges(g.Edges).Select(e =>
                $"{(int)g.Resolution} {g.BucketStartUnixMs} {e.Key.Caller} {e.Key.Callee} {(byte)e.Key.ConnectionType} {e.CallCount} {e.ErrorCount} {Convert.ToHexString(e.Serialize())}"))
            .Order(StringComparer.Ordinal).ToList(),
        (await db.GraphBuckets.AsNoTracking().ToListAsync())
            .SelectMany(g => StatisticsPack.ReadNodes(g.Nodes).Select(n =>
                $"{(int)g.Resolution} {g.BucketStartUnixMs} {n.Name} {n.RequestsServed} {n.ErrorCount} {n.CallsMade} {Convert.ToHexString(n.Serialize())}"))
            .Order(StringComparer.Ordinal).ToList(),
        (await db.ZipkinLinkPacks.AsNoTracking().ToListAsync())
            .SelectMany(p => LinksOf(p.Links).Select(l => $"{(int)p.Resolution} {p.BucketStartUnixMs} {l.Key.Parent} {l.Key.Child} {l.Value.Calls} {l.Value.Errors}"))
            .Order(StringComparer.Ordinal).ToList(),
        (await db.ReliabilityStatistics.AsNoTracking().ToListAsync())
            .Select(r => $"{(int)r.Resolution} {r.BucketStartUnixMs} {r.Traces} {Convert.ToHexString(r.Blob)}").Order(StringComparer.Ordinal).ToList());

    private static Dictionary<(string Parent, string Child), (long Calls, long Errors)> LinksOf(byte[] pack)
    {
        var links = new Dictionary<(string Parent, string Child), (long Calls, long Errors)>();
        StatisticsPack.AddLinks(pack, links);
        return links;
    }

    /// <summary>
    /// Traces over three hours among a few services: calls with errors, database calls, and every
    /// fifth trace producing a message whose consumer starts a trace of its own linked to the
    /// producer's span. Some server spans and consumer traces arrive late.
    /// </summary>
    internal static (List<Span> Early, List<Span> Late) Spans()
    {
        var random = new Random(13);
        string[] services = ["checkout", "payments", "users", "search", "cart"];
        var early = new List<Span>();
        var late = new List<Span>();
        for (var i = 1; i <= 300; i++)
        {
            var trace = new TraceId((ulong)(i % 3), (ulong)i);
            var start = (Start + i * 36_000L + random.Next(1_000)) * 1_000_000;
            early.Add(new Span { TraceId = trace, SpanId = 1, Kind = SpanKind.Server, LocalService = "frontend", Name = "GET /", StartUnixNano = start, DurationNano = 50_000_000 + random.Next(50_000_000) });
            ulong spanId = 2;
            for (var c = 0; c < 1 + random.Next(3); c++)
            {
                var callee = services[random.Next(services.Length)];
                var failed = random.Next(10) == 0;
                var client = new Span { TraceId = trace, SpanId = spanId, ParentId = 1, Kind = SpanKind.Client, LocalService = "frontend", Name = "call", StartUnixNano = start + 1_000_000, DurationNano = 30_000_000 + random.Next(10_000_000), Error = failed };
                var server = new Span { TraceId = trace, SpanId = spanId + 1, ParentId = spanId, Kind = SpanKind.Server, LocalService = callee, Name = "call", StartUnixNano = start + 2_000_000, DurationNano = 20_000_000 + random.Next(5_000_000), Error = failed };
                early.Add(client);
                (random.Next(8) == 0 ? late : early).Add(server);
                if (random.Next(3) == 0)
                {
                    early.Add(new Span { TraceId = trace, SpanId = spanId + 2, ParentId = spanId + 1, Kind = SpanKind.Client, LocalService = callee, Name = "SELECT", StartUnixNano = start + 3_000_000, DurationNano = 5_000_000, DbSystem = "postgresql", DbNamespace = "shop" });
                }
                spanId += 3;
            }
            if (i % 5 == 0)
            {
                var producer = new Span { TraceId = trace, SpanId = spanId, ParentId = 1, Kind = SpanKind.Producer, LocalService = "frontend", Name = "publish orders", StartUnixNano = start + 4_000_000, DurationNano = 1_000_000, MessagingSystem = "kafka", MessagingDestinationName = "orders" };
                early.Add(producer);
                var consumerTrace = new TraceId(0, (ulong)(100_000 + i));
                var consumer = new Span { TraceId = consumerTrace, SpanId = 1, Kind = SpanKind.Consumer, LocalService = "fulfilment", Name = "process orders", StartUnixNano = start + 9_000_000, DurationNano = 7_000_000, MessagingSystem = "kafka", MessagingDestinationName = "orders", Links = [new SpanLink(trace, spanId)] };
                (i % 10 == 0 ? late : early).Add(consumer);
            }
        }
        return (early, late);
    }
}
