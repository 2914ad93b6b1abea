using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using DepMap.Core.Diff;
using DepMap.Core.Graph;
using DepMap.Core.Writers;

namespace DepMap.Core.Snapshots;

/// <summary>
/// SHA-256 hashes written as <c>sha256:</c> and 64 lowercase hex digits. The topology hash covers
/// node names and edge keys (one line each, in order); the content hash covers every edge's and
/// node's serialised statistics, length-prefixed, in order, after the edge count. Labels and windows are in neither, so
/// the same traffic under another label hashes the same.
/// </summary>
internal static class SnapshotHashes
{
    public static string Topology(GraphFigures figures)
    {
        var text = new StringBuilder();
        foreach (var node in figures.Nodes)
        {
            text.Append("node\t").Append(node.Name).Append('\n');
        }
        foreach (var edge in figures.Edges)
        {
            text.Append("edge\t").Append(edge.Key.Caller).Append('\t').Append(edge.Key.Callee).Append('\t')
                .Append(GraphText.ConnectionWord(edge.Key.ConnectionType)).Append('\n');
        }
        return Format(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    public static string Content(ServiceGraph graph)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, graph.Edges.Count);
        hash.AppendData(length);
        foreach (var blob in graph.Edges.Select(e => e.Statistics.Serialize()).Concat(graph.Nodes.Select(n => n.Statistics.Serialize())))
        {
            BinaryPrimitives.WriteInt32BigEndian(length, blob.Length);
            hash.AppendData(length);
            hash.AppendData(blob);
        }
        return Format(hash.GetHashAndReset());
    }

    private static string Format(byte[] digest) => "sha256:" + Convert.ToHexStringLower(digest);
}
