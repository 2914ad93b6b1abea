using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace DepMap.Server.Tests;

/// <summary>Small payloads in each wire format, each with a fresh trace id so tests sharing one database stay apart.</summary>
internal static class Payloads
{
    public static ulong NewTraceIdLow() => BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) | 1;

    public static string Hex(ulong id) => id.ToString("x16");

    /// <summary>A Zipkin v2 client span of <c>frontend</c> and the server span of <c>backend</c> it called.</summary>
    public static string ZipkinTrace(ulong traceIdLow) => $$$"""
        [
          {"traceId":"{{{Hex(traceIdLow)}}}","id":"000000000000000a","kind":"CLIENT","name":"get /api",
           "timestamp":1700000000000000,"duration":20000,"localEndpoint":{"serviceName":"frontend"},
           "tags":{"peer.service":"backend"}},
          {"traceId":"{{{Hex(traceIdLow)}}}","parentId":"000000000000000a","id":"000000000000000b","kind":"SERVER",
           "name":"get /api","timestamp":1700000000002000,"duration":15000,"localEndpoint":{"serviceName":"backend"},
           "tags":{"error":"timeout"}}
        ]
        """;

    public static string JaegerTrace(ulong traceIdLow) => $$$$"""
        {"data":[{"traceID":"{{{{Hex(traceIdLow)}}}}","spans":[
          {"traceID":"{{{{Hex(traceIdLow)}}}}","spanID":"000000000000000c","operationName":"HTTP GET",
           "startTime":1700000000000000,"duration":5000,"processID":"p1",
           "tags":[{"key":"span.kind","type":"string","value":"server"}]}],
          "processes":{"p1":{"serviceName":"inventory"}}}]}
        """;

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }

    /// <summary>A gzip stream that inflates to <paramref name="inflatedBytes"/> zeros from a few tens of KB.</summary>
    public static byte[] GzipBomb(long inflatedBytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize))
        {
            var zeros = new byte[1024 * 1024];
            for (long written = 0; written < inflatedBytes; written += zeros.Length)
            {
                gzip.Write(zeros);
            }
        }
        return output.ToArray();
    }
}
