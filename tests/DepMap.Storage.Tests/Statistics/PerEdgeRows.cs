using System.Buffers;
using System.Buffers.Binary;
using System.Data.Common;
using DepMap.Core.Linking;
using DepMap.Core.Statistics;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.Tests.Statistics;

/// <summary>
/// Statistics as the versions before packs stored them, a row per edge and per node (edge_stats,
/// node_stats) and per Zipkin link (zipkin_links), for the upgrade tests of both stores: four
/// buckets, one of them with nodes only and one with edges only, names a SQL string would mangle
/// included; links in three of them and in one bucket of links only, with names of two-, three- and
/// four-byte UTF-8 characters and counts past 32 bits.
/// </summary>
internal static class PerEdgeRows
{
    private const long Ms = 1_000_000;
    private const long MinuteStart = 1_767_225_600_000;

    public static readonly (BucketResolution Resolution, long StartUnixMs, GraphStatistics Statistics, bool Edges, bool Nodes)[] Buckets =
    [
        (BucketResolution.Minute, MinuteStart, Traffic(3, "checkout"), true, true),
        (BucketResolution.Minute, MinuteStart + 60_000, Traffic(2, "it's \"quoted\"; DROP TABLE x"), false, true),
        (BucketResolution.Minute, MinuteStart + 120_000, Traffic(1, "search"), true, false),
        (BucketResolution.Hour, MinuteStart, Traffic(6, "checkout"), true, true),
    ];

    public static readonly (BucketResolution Resolution, long StartUnixMs, Dictionary<(string Parent, string Child), (long Calls, long Errors)> Links)[] LinkBuckets =
    [
        (BucketResolution.Minute, MinuteStart, new() { [("checkout", "orders")] = (3, 1), [("orders", "orders-db")] = (3, 0) }),
        (BucketResolution.Minute, MinuteStart + 60_000, new() { [("it's \"quoted\"; DROP TABLE x", "orders")] = (2, 2) }),
        (BucketResolution.Minute, MinuteStart + 180_000, new() { [("café", "Zürich-€-日本")] = (7, 1), [("😀 emoji", "")] = (1, 0) }),
        (BucketResolution.Hour, MinuteStart, new() { [("checkout", "orders")] = (5_000_000_000, 4_294_967_297), [("orders", "orders-db")] = (6, 0) }),
    ];

    /// <summary>Inserts every bucket's rows, as the older version wrote them, through <paramref name="db"/>'s connection.</summary>
    public static async Task InsertAsync(DepMapDbContext db)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        foreach (var (resolution, start, statistics, edges, nodes) in Buckets)
        {
            foreach (var edge in edges ? statistics.Edges.Values : [])
            {
                await ExecuteAsync(connection,
                    "INSERT INTO edge_stats (resolution, bucket_start_unix_ms, caller, callee, connection_type, call_count, error_count, blob) " +
                    "VALUES (@resolution, @bucket, @caller, @callee, @type, @calls, @errors, @blob)",
                    ("resolution", (short)resolution), ("bucket", start), ("caller", edge.Key.Caller), ("callee", edge.Key.Callee),
                    ("type", (short)edge.Key.ConnectionType), ("calls", edge.CallCount), ("errors", edge.ErrorCount), ("blob", edge.Serialize()));
            }
            foreach (var node in nodes ? statistics.Nodes.Values : [])
            {
                await ExecuteAsync(connection,
                    "INSERT INTO node_stats (resolution, bucket_start_unix_ms, name, requests_served, error_count, calls_made, blob) " +
                    "VALUES (@resolution, @bucket, @name, @served, @errors, @made, @blob)",
                    ("resolution", (short)resolution), ("bucket", start), ("name", node.Name), ("served", node.RequestsServed),
                    ("errors", node.ErrorCount), ("made", node.CallsMade), ("blob", node.Serialize()));
            }
        }
        foreach (var (resolution, start, links) in LinkBuckets)
        {
            foreach (var ((parent, child), (calls, errors)) in links)
            {
                await ExecuteAsync(connection,
                    "INSERT INTO zipkin_links (resolution, bucket_start_unix_ms, parent, child, call_count, error_count) " +
                    "VALUES (@resolution, @bucket, @parent, @child, @calls, @errors)",
                    ("resolution", (short)resolution), ("bucket", start), ("parent", parent), ("child", child), ("calls", calls), ("errors", errors));
            }
        }
        await db.Database.CloseConnectionAsync();
    }

    /// <summary>Asserts that each bucket's packed row holds exactly the edges and nodes its rows held, byte for byte.</summary>
    public static async Task AssertPackedAsync(DepMapDbContext db)
    {
        var stored = await db.GraphBuckets.AsNoTracking().ToListAsync();
        Assert.Equal(Buckets.Length, stored.Count);
        foreach (var (resolution, start, statistics, edges, nodes) in Buckets)
        {
            var row = Assert.Single(stored, r => r.Resolution == resolution && r.BucketStartUnixMs == start);
            Assert.Equal(
                edges ? Hex(statistics.Edges.Values.Select(e => e.Serialize())) : [],
                Hex(StatisticsPack.ReadEdges(row.Edges).Select(e => e.Serialize())));
            Assert.Equal(
                nodes ? Hex(statistics.Nodes.Values.Select(n => n.Serialize())) : [],
                Hex(StatisticsPack.ReadNodes(row.Nodes).Select(n => n.Serialize())));
        }
    }

    /// <summary>Asserts that each bucket's links pack holds an entry for each of its rows, byte for byte as <see cref="StatisticsPack.WriteLinks"/> writes it.</summary>
    public static async Task AssertLinksPackedAsync(DepMapDbContext db)
    {
        var stored = await db.ZipkinLinkPacks.AsNoTracking().ToListAsync();
        Assert.Equal(LinkBuckets.Length, stored.Count);
        foreach (var (resolution, start, links) in LinkBuckets)
        {
            var row = Assert.Single(stored, r => r.Resolution == resolution && r.BucketStartUnixMs == start);
            var expected = links.Select(link =>
            {
                var one = new ArrayBufferWriter<byte>();
                StatisticsPack.WriteLinks(new Dictionary<(string, string), (long, long)> { [link.Key] = link.Value }, one);
                return one.WrittenSpan.ToArray();
            });
            Assert.Equal(Hex(expected), Hex(Entries(row.Links)));
            var read = new Dictionary<(string Parent, string Child), (long Calls, long Errors)>();
            StatisticsPack.AddLinks(row.Links, read);
            Assert.Equal(links.OrderBy(l => l.Key), read.OrderBy(l => l.Key));
        }
    }

    /// <summary>A pack cut at its entries' lengths, each entry with its length.</summary>
    private static IEnumerable<byte[]> Entries(byte[] pack)
    {
        for (var at = 0; at < pack.Length;)
        {
            var length = 4 + BinaryPrimitives.ReadInt32BigEndian(pack.AsSpan(at));
            yield return pack[at..(at + length)];
            at += length;
        }
    }

    private static List<string> Hex(IEnumerable<byte[]> entries) => [.. entries.Select(Convert.ToHexString).Order(StringComparer.Ordinal)];

    private static GraphStatistics Traffic(int traces, string entry)
    {
        var statistics = new GraphStatistics();
        for (var i = 0; i < traces; i++)
        {
            statistics.Add(new LinkedTrace(
            [
                new Call { Caller = entry, Callee = "orders", ClientDurationNano = (20 + i) * Ms, ServerDurationNano = (15 + i) * Ms, Operation = "GET /orders", Failed = i == 1 },
                new Call { Caller = "orders", Callee = "orders-db", CalleeType = NodeType.Database, ConnectionType = ConnectionType.Database, ClientDurationNano = (3 + i) * Ms, Operation = "SELECT" },
            ], []));
        }
        return statistics;
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        await command.ExecuteNonQueryAsync();
    }
}
