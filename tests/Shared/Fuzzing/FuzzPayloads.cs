using System.Text;
using CsCheck;
using DepMap.Core.Spans;
using DepMap.Ingest;

namespace DepMap.Tests.Shared.Fuzzing;

/// <summary>CsCheck generators: spans as DepMap decodes them, valid payloads, and mutations of them.</summary>
internal static class FuzzPayloads
{
    private static readonly Gen<string?> Name = Gen.Frequency(
        (1, (IGen<string?>)Gen.Const((string?)null)),
        (1, Gen.OneOf<string?>("checkout", "db", "orders/v2", "ünïcødé", "a b", "\"quoted\"", "x\\y", "😀")),
        (1, Gen.String[1, 20].Select(s => (string?)s)));

    private static readonly Gen<int?> Number = Gen.Frequency(
        (1, (IGen<int?>)Gen.Const((int?)null)), (1, Gen.Int.Select(i => (int?)i)), (1, Gen.Int[0, 65535].Select(i => (int?)i)));

    private static readonly Gen<ulong> Id = Gen.ULong.Where(id => id != 0);

    private static readonly Gen<TraceId> Trace = Gen.Select(Gen.ULong, Id, (high, low) => new TraceId(high, low));

    private static readonly Gen<Span> Head = Gen.Select(Trace, Id, Gen.Frequency((1, (IGen<ulong>)Gen.Const(0UL)), (2, Id)), Gen.Enum<SpanKind>(), Name, Name,
        Gen.Long[0, long.MaxValue / 2], Gen.Long[0, long.MaxValue / 4],
        (trace, id, parent, kind, service, name, start, duration) => new Span
        {
            TraceId = trace,
            SpanId = id,
            ParentId = parent,
            Kind = kind,
            LocalService = service,
            Name = name,
            StartUnixNano = start,
            DurationNano = duration,
        });

    /// <summary>A span in the form the OTLP decoders give: no Zipkin-only fields, non-negative times.</summary>
    public static readonly Gen<Span> Spans = Head
        .SelectMany(span => Gen.Select(Gen.Bool, Name, Name, Number, Name, Number, Name, Name,
            (error, ns, peer, port, address, peerPort, peerAddress, dbNamespace) => span with
            {
                Error = error,
                ServiceNamespace = ns,
                PeerService = peer,
                ServerPort = port,
                ServerAddress = address,
                NetworkPeerPort = peerPort,
                NetworkPeerAddress = peerAddress,
                DbNamespace = dbNamespace,
            }))
        .SelectMany(span => Gen.Select(Name, Name, Name, Name, Name, Number, Gen.Select(Trace, Id, (t, s) => new SpanLink(t, s)).Array[0, 3],
            (dbName, dbSystem, dbSystemName, messaging, destination, status, links) => span with
            {
                DbName = dbName,
                DbSystem = dbSystem,
                DbSystemName = dbSystemName,
                MessagingSystem = messaging,
                MessagingDestinationName = destination,
                HttpResponseStatusCode = status,
                Links = links,
            }));

    // Peer addresses for Zipkin: IP literals go to its remote endpoint, other names stay tags.
    private static readonly Gen<string?> PeerAddress = Gen.Frequency(
        (2, Name), (1, Gen.OneOf<string?>("10.0.0.7", "192.168.99.1", "::1", "2001:db8::7")));

    /// <summary>
    /// A span Zipkin v2 can carry: whole microseconds, no links, no INTERNAL kind (Zipkin's local
    /// span has no kind), and Zipkin's own remote service, shared flag and IP remote endpoint.
    /// </summary>
    public static readonly Gen<Span> ZipkinSpans = Spans.SelectMany(span => Gen.Select(Name, Gen.Bool, PeerAddress,
        (remote, shared, address) => NativeTime.InWholeMicros(span) with
        {
            Kind = span.Kind == SpanKind.Internal ? SpanKind.Unspecified : span.Kind,
            Links = [],
            RemoteService = remote,
            Shared = shared,
            NetworkPeerAddress = address,
        }));

    /// <summary>A span Jaeger can carry: whole microseconds (Jaeger has every other field <see cref="Spans"/> gives).</summary>
    public static readonly Gen<Span> JaegerSpans = Spans.Select(NativeTime.InWholeMicros);

    public static Gen<Span> SpansOf(TraceFormat format) => format switch
    {
        TraceFormat.ZipkinJson => ZipkinSpans,
        TraceFormat.JaegerJson => JaegerSpans,
        _ => Spans,
    };

    public static byte[] Encode(TraceFormat format, Span[] spans) => format switch
    {
        TraceFormat.OtlpProtobuf => OtlpSpanEncoder.Protobuf(spans),
        TraceFormat.OtlpJson => OtlpSpanEncoder.Json(spans),
        TraceFormat.ZipkinJson => ZipkinSpanEncoder.Json(spans),
        _ => JaegerSpanEncoder.Json(spans),
    };

    /// <summary>The spans in the order <see cref="Encode"/> writes them for the format, and its decoder gives them back.</summary>
    public static List<Span> InWrittenOrder(TraceFormat format, IEnumerable<Span> spans) => format switch
    {
        TraceFormat.ZipkinJson => spans.ToList(),
        TraceFormat.JaegerJson => JaegerSpanEncoder.InWrittenOrder(spans),
        _ => OtlpSpanEncoder.InWrittenOrder(spans),
    };

    /// <summary>Real payloads of the format: the golden files and examples, and a few generated batches.</summary>
    public static byte[][] Corpus(TraceFormat format)
    {
        var golden = Path.Combine(AppContext.BaseDirectory, "Golden");
        var examples = Path.Combine(AppContext.BaseDirectory, "Examples");
        return format switch
        {
            TraceFormat.OtlpProtobuf => [File.ReadAllBytes(Path.Combine(golden, "otlp-dotnet-sdk-logistics.pb")), .. Generated(format)],
            TraceFormat.OtlpJson => [File.ReadAllBytes(Path.Combine(golden, "otlp-variants.json")),
                File.ReadAllBytes(Path.Combine(examples, "logistics-tracking.otlp.json")), .. Generated(format)],
            TraceFormat.ZipkinJson => [File.ReadAllBytes(Path.Combine(golden, "zipkin-v2.json")),
                File.ReadAllBytes(Path.Combine(examples, "logistics-tracking.zipkin.json")), .. Generated(format)],
            _ => [File.ReadAllBytes(Path.Combine(golden, "jaeger-download.json")),
                File.ReadAllBytes(Path.Combine(examples, "logistics-tracking.jaeger.json")), .. Generated(format)],
        };
    }

    private static IEnumerable<byte[]> Generated(TraceFormat format)
    {
        var pcg = new PCG(7, FuzzBudget.Seed);
        for (var i = 0; i < 4; i++)
        {
            yield return Encode(format, SpansOf(format).Array[1, 6].Generate(pcg, null!, out _));
        }
    }

    /// <summary>A corpus payload with one to six edits: bytes flipped, replaced, cut, duplicated, or tokens parsers slip on.</summary>
    public static Gen<byte[]> Mutated(TraceFormat format)
    {
        var corpus = Corpus(format);
        var tokens = format == TraceFormat.OtlpProtobuf
            ? new[] { new byte[] { 0xFF }, [0x80], [0x00], [0x0A], [0x12], [0x7F], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], [0x0A, 0x80, 0x80, 0x80, 0x80, 0x08] }
            : new[] { "{", "}", "[", "]", "\"", ",", ":", "0", "-", "e", "\\u", "\\ud800", "null", "true", "1e999", "-0", "18446744073709551616",
                "9223372036854775808", "\"\"", "[]", "{}", "\"ffffffffffffffffffffffffffffffff\"" }.Select(Encoding.UTF8.GetBytes).Append([0xFF]).Append([0xC3]).ToArray();
        var edit = Gen.Select(Gen.Int[0, 5], Gen.Double[0, 1], Gen.Double[0, 1], Gen.Int[0, tokens.Length - 1], Gen.Byte);
        return Gen.Select(Gen.Int[0, corpus.Length - 1], edit.Array[1, 6], (which, edits) =>
        {
            var bytes = new List<byte>(corpus[which]);
            foreach (var (kind, where, other, token, value) in edits)
            {
                if (bytes.Count == 0)
                {
                    break;
                }
                var at = Math.Min((int)(where * bytes.Count), bytes.Count - 1);
                switch (kind)
                {
                    case 0:
                        bytes[at] = value;
                        break;
                    case 1:
                        bytes[at] ^= (byte)(1 << (value % 8));
                        break;
                    case 2:
                        bytes.RemoveRange(at, Math.Min(1 + (value % 16), bytes.Count - at));
                        break;
                    case 3:
                        bytes.RemoveRange(at, bytes.Count - at);
                        break;
                    case 4:
                        var start = Math.Min((int)(other * bytes.Count), bytes.Count - 1);
                        bytes.InsertRange(at, bytes.GetRange(start, Math.Min(1 + (value % 40), bytes.Count - start)));
                        break;
                    default:
                        bytes.InsertRange(at, tokens[token]);
                        break;
                }
            }
            return bytes.ToArray();
        });
    }
}
