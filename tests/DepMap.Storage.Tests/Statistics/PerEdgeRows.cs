using System.Data.Common;
using DepMap.Core.Linking;
using DepMap.Core.Statistics;
using Microsoft.EntityFrameworkCore;

namespace DepMap.Storage.Tests.Statistics;

/// <summary>
/// Statistics as the versions before packs stored them, a row per edge and per node (edge_stats,
/// node_stats), for the upgrade tests of both stores: four buckets, one of them with nodes only and
/// one with edges only, names a SQL string would mangle included.
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
