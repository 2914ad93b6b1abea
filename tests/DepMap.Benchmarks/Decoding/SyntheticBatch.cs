using System.Globalization;
using System.Text;
using DepMap.Ingest.Otlp.Proto.Collector;
using DepMap.Ingest.Otlp.Proto.Common;
using DepMap.Ingest.Otlp.Proto.Resource;
using DepMap.Ingest.Otlp.Proto.Trace;
using Google.Protobuf;
using ProtoSpan = DepMap.Ingest.Otlp.Proto.Trace.Span;

namespace DepMap.Benchmarks.Decoding;

/// <summary>
/// One export batch as a busy service mesh sends it: spans from 50 services, about 10 attributes
/// each (HTTP, database and peer attributes, as instrumentation libraries write them), 2% errors,
/// the same spans as OTLP protobuf, OTLP JSON and Zipkin v2 JSON.
/// </summary>
internal sealed class SyntheticBatch
{
    public SyntheticBatch(int spans, int services, int seed = 42)
    {
        var random = new Random(seed);
        var request = new ExportTraceServiceRequest();
        var otlpJson = new StringBuilder("{\"resourceSpans\":[");
        var zipkin = new StringBuilder("[");
        var perService = (spans + services - 1) / services;
        var written = 0;
        for (var s = 0; s < services && written < spans; s++)
        {
            var service = $"service-{s:D3}";
            var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "OpenTelemetry.Instrumentation.AspNetCore", Version = "1.12.0" } };
            var resource = new ResourceSpans
            {
                Resource = new Resource
                {
                    Attributes =
                    {
                        String("service.name", service), String("service.namespace", "shop"),
                        String("service.instance.id", Guid.NewGuid().ToString()), String("telemetry.sdk.language", "dotnet"),
                        String("telemetry.sdk.name", "opentelemetry"), String("telemetry.sdk.version", "1.12.0"),
                    },
                },
                ScopeSpans = { scope },
            };
            request.ResourceSpans.Add(resource);
            otlpJson.Append(s == 0 ? "" : ",").Append("{\"resource\":{\"attributes\":[")
                .Append(JsonAttribute("service.name", service)).Append(',').Append(JsonAttribute("service.namespace", "shop"))
                .Append("]},\"scopeSpans\":[{\"scope\":{\"name\":\"OpenTelemetry.Instrumentation.AspNetCore\"},\"spans\":[");
            for (var i = 0; i < perService && written < spans; i++, written++)
            {
                var span = Span(random, s, services);
                scope.Spans.Add(span);
                otlpJson.Append(i == 0 ? "" : ",").Append(OtlpJsonSpan(span));
                zipkin.Append(written == 0 ? "" : ",").Append(ZipkinSpan(span, service));
            }
            otlpJson.Append("]}]}");
        }
        otlpJson.Append("]}");
        zipkin.Append(']');
        SpanCount = written;
        OtlpProtobuf = request.ToByteArray();
        OtlpJson = Encoding.UTF8.GetBytes(otlpJson.ToString());
        ZipkinJson = Encoding.UTF8.GetBytes(zipkin.ToString());
    }

    public int SpanCount { get; }
    public byte[] OtlpProtobuf { get; }
    public byte[] OtlpJson { get; }
    public byte[] ZipkinJson { get; }

    private static ProtoSpan Span(Random random, int service, int services)
    {
        var trace = new byte[16];
        var id = new byte[8];
        var parent = new byte[8];
        random.NextBytes(trace);
        random.NextBytes(id);
        random.NextBytes(parent);
        var start = 1_700_000_000_000_000_000UL + (ulong)random.NextInt64(1_000_000_000_000);
        var client = random.Next(2) == 0;
        var callee = $"service-{random.Next(services):D3}";
        var span = new ProtoSpan
        {
            TraceId = ByteString.CopyFrom(trace),
            SpanId = ByteString.CopyFrom(id),
            ParentSpanId = ByteString.CopyFrom(parent),
            Name = client ? $"GET /{callee}/items/{{id}}" : $"GET /service-{service:D3}/items/{{id}}",
            Kind = client ? ProtoSpan.Types.SpanKind.Client : ProtoSpan.Types.SpanKind.Server,
            StartTimeUnixNano = start,
            EndTimeUnixNano = start + (ulong)random.Next(100_000, 50_000_000),
            Attributes =
            {
                String("http.request.method", "GET"),
                String("url.path", "/items/" + random.Next(10_000).ToString(CultureInfo.InvariantCulture)),
                String("url.scheme", "http"),
                Int("http.response.status_code", random.Next(50) == 0 ? 500 : 200),
                String("network.protocol.version", "1.1"),
                String("server.address", client ? callee : "localhost"),
                Int("server.port", 8080),
                String("network.peer.address", "10.0." + random.Next(256).ToString(CultureInfo.InvariantCulture) + ".7"),
                String("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36"),
                client ? String("peer.service", callee) : String("http.route", "/items/{id}"),
            },
        };
        if (random.Next(50) == 0)
        {
            span.Status = new Status { Code = Status.Types.StatusCode.Error, Message = "Internal Server Error" };
        }
        return span;
    }

    private static KeyValue String(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    private static KeyValue Int(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };

    private static string JsonAttribute(string key, string value) => $"{{\"key\":\"{key}\",\"value\":{{\"stringValue\":\"{value}\"}}}}";

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);

    private static string OtlpJsonSpan(ProtoSpan span)
    {
        var attributes = string.Join(",", span.Attributes.Select(a => a.Value.ValueCase == AnyValue.ValueOneofCase.IntValue
            ? $"{{\"key\":\"{a.Key}\",\"value\":{{\"intValue\":\"{a.Value.IntValue}\"}}}}"
            : JsonAttribute(a.Key, a.Value.StringValue)));
        var status = span.Status is null ? "" : ",\"status\":{\"code\":2,\"message\":\"Internal Server Error\"}";
        return $"{{\"traceId\":\"{Hex(span.TraceId)}\",\"spanId\":\"{Hex(span.SpanId)}\",\"parentSpanId\":\"{Hex(span.ParentSpanId)}\","
            + $"\"name\":\"{span.Name}\",\"kind\":{(int)span.Kind},\"startTimeUnixNano\":\"{span.StartTimeUnixNano}\","
            + $"\"endTimeUnixNano\":\"{span.EndTimeUnixNano}\",\"attributes\":[{attributes}]{status}}}";
    }

    private static string ZipkinSpan(ProtoSpan span, string service)
    {
        var tags = string.Join(",", span.Attributes.Select(a => $"\"{a.Key}\":\"{(a.Value.ValueCase == AnyValue.ValueOneofCase.IntValue ? a.Value.IntValue.ToString(CultureInfo.InvariantCulture) : a.Value.StringValue)}\""));
        if (span.Status is not null)
        {
            tags += ",\"error\":\"Internal Server Error\"";
        }
        var kind = span.Kind == ProtoSpan.Types.SpanKind.Client ? "CLIENT" : "SERVER";
        return $"{{\"traceId\":\"{Hex(span.TraceId)}\",\"id\":\"{Hex(span.SpanId)}\",\"parentId\":\"{Hex(span.ParentSpanId)}\","
            + $"\"kind\":\"{kind}\",\"name\":\"{span.Name.ToLowerInvariant()}\",\"timestamp\":{span.StartTimeUnixNano / 1000},"
            + $"\"duration\":{(span.EndTimeUnixNano - span.StartTimeUnixNano) / 1000},\"localEndpoint\":{{\"serviceName\":\"{service}\",\"ipv4\":\"10.0.0.1\"}},"
            + $"\"tags\":{{{tags}}}}}";
    }
}
