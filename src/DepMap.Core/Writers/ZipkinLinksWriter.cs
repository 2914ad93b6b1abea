using System.Text;
using System.Text.Json;
using DepMap.Core.Linking;

namespace DepMap.Core.Writers;

/// <summary>
/// Zipkin's <c>/api/v2/dependencies</c> body: a JSON array of <c>{parent, child, callCount,
/// errorCount}</c>, sorted by parent then child. <c>errorCount</c> is left out when zero, as
/// Zipkin's own JSON writer does, so Zipkin clients see byte-for-byte what they expect.
/// </summary>
public static class ZipkinLinksWriter
{
    public static string Write(IEnumerable<DependencyLink> links) => Encoding.UTF8.GetString(WriteUtf8(links));

    public static byte[] WriteUtf8(IEnumerable<DependencyLink> links)
    {
        ArgumentNullException.ThrowIfNull(links);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartArray();
            foreach (var link in links.OrderBy(l => l.Parent, StringComparer.Ordinal).ThenBy(l => l.Child, StringComparer.Ordinal))
            {
                json.WriteStartObject();
                json.WriteString("parent", link.Parent);
                json.WriteString("child", link.Child);
                json.WriteNumber("callCount", link.CallCount);
                if (link.ErrorCount > 0)
                {
                    json.WriteNumber("errorCount", link.ErrorCount);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return stream.ToArray();
    }
}
